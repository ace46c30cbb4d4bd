using System.Numerics;
using FlipGuard.Core;
using FlipGuard.Defenses.Ecc;
using FlipGuard.Faults.Encodings;
using FlipGuard.Faults.Targets;

namespace FlipGuard.Defenses;

/// <summary>
/// RADAR-style run-time checksums (Li et al., 2021). Each tensor's entries are split into groups (interleaved by
/// default: entry i belongs to group i mod G', so neighbouring entries land in different groups); each group keeps
/// a few bits of its masked sum s = Σ mᵢ·wᵢ (mod 2³²) over the stored words, with mᵢ = ±1 drawn from a secret key so
/// that an attacker cannot make two flips cancel on purpose. A check recomputes the sums; a group whose signature
/// bits differ is zeroed whole. Why it catches what it promises: flipping bit b of one word changes it by ±2ᵇ, and
/// adding ±2ᵇ to s always toggles bit b of s, so every single flip of a signature bit position is detected. Flips of
/// other bits are caught only when a carry happens to reach a signature bit.
/// </summary>
public sealed class RadarChecksum(RadarOptions options) : IDefense
{
    private sealed record TensorState(int Groups, uint[] Words, uint[] Sums, ulong[] Mask, long Length, int Width);

    private TensorState[]? state;
    private FlipTarget? protectedTarget;
    private uint signatureMask;

    /// <inheritdoc />
    public string Name => $"radar(group={options.GroupSize},{(options.Interleaved ? "interleaved" : "contiguous")},bits={BitsText()},key={options.Key})";

    /// <inheritdoc />
    public DefenseOverhead Overhead { get; private set; } = new(0, 0, 0, 0);

    /// <inheritdoc />
    public void Protect(FlipTarget target)
    {
        if (options.GroupSize < 1) throw new FlipGuardException($"--group-size must be ≥ 1, got {options.GroupSize}");
        int width = target.BitsPerEntry;
        var bits = options.SignatureBits ?? [width - 2, width - 1];
        if (bits.Count == 0 || bits.Any(b => b is < 0 or > 31))
            throw new FlipGuardException($"--signature-bits: choose one or more bit positions of the 32-bit group sum (0–31), got {string.Join(",", bits)}");
        signatureMask = 0;
        foreach (int b in bits) signatureMask |= 1u << b;
        state = new TensorState[target.Tensors.Count];
        long entries = 0, extra = 64; // the key
        for (int t = 0; t < state.Length; t++)
        {
            var tensor = target.Tensors[t];
            long n = tensor.Length;
            int groups = checked((int)((n + options.GroupSize - 1) / options.GroupSize));
            var mask = new ulong[(n + 63) / 64];
            var rng = SplitMix64.ForStream(options.Key, (ulong)t);
            for (int i = 0; i < mask.Length; i++) mask[i] = rng.NextUInt64();
            var words = StoredWords.Read(tensor);
            var s = new TensorState(groups, words, new uint[groups], mask, n, width);
            for (long i = 0; i < n; i++) s.Sums[GroupOf(s, i)] += Term(s, i, words[i]);
            state[t] = s;
            entries += n;
            extra += (long)groups * BitOperations.PopCount(signatureMask);
        }
        protectedTarget = target;
        Overhead = new DefenseOverhead(entries, entries, extra, entries * target.BitsPerEntry);
    }

    /// <inheritdoc />
    public DefenseReport Repair(FlipTarget target)
    {
        var st = Check(target);
        long groups = 0, flagged = 0, rewritten = 0;
        for (int t = 0; t < st.Length; t++)
        {
            var tensor = target.Tensors[t];
            var s = st[t];
            var words = StoredWords.Read(tensor);
            var sums = new uint[s.Groups];
            for (long i = 0; i < s.Length; i++) sums[GroupOf(s, i)] += Term(s, i, words[i]);
            groups += s.Groups;
            float[]? values = null;
            for (int g = 0; g < s.Groups; g++)
            {
                if (((sums[g] ^ s.Sums[g]) & signatureMask) == 0) continue;
                flagged++;
                values ??= tensor.ReadValues();
                foreach (long m in Members(s, g))
                {
                    values[m] = 0;
                    rewritten++;
                }
            }
            if (values is not null) StoredWords.Write(tensor, values);
        }
        return new DefenseReport(Name, groups, flagged, 0, flagged, rewritten);
    }

    /// <inheritdoc />
    public bool Outcome(in ParameterChange fault, List<ParameterChange> effect)
    {
        effect.Clear();
        var st = state ?? throw new InvalidOperationException("Protect the target before asking for outcomes");
        var tensor = protectedTarget!.Tensors[fault.Tensor];
        var s = st[fault.Tensor];
        uint old = s.Words[fault.Index], now = StoredWords.Of(tensor, fault.NewValue);
        if (old == now) return false;
        int g = GroupOf(s, fault.Index);
        uint sum = s.Sums[g] - Term(s, fault.Index, old) + Term(s, fault.Index, now);
        if (((sum ^ s.Sums[g]) & signatureMask) == 0)
        {
            effect.Add(fault);
            return false;
        }
        float zero = StoredWords.ValueOf(tensor, StoredWords.Of(tensor, 0f));
        foreach (long m in Members(s, g)) effect.Add(new ParameterChange(fault.Tensor, m, zero));
        return true;
    }

    private TensorState[] Check(FlipTarget target)
    {
        var st = state ?? throw new InvalidOperationException("Protect the target before repairing it");
        if (!ReferenceEquals(target, protectedTarget)) throw new InvalidOperationException("this defense protects a different target");
        return st;
    }

    private int GroupOf(TensorState s, long i) => (int)(options.Interleaved ? i % s.Groups : i / options.GroupSize);

    private IEnumerable<long> Members(TensorState s, int g)
    {
        if (options.Interleaved)
            for (long i = g; i < s.Length; i += s.Groups) yield return i;
        else
            for (long i = (long)g * options.GroupSize; i < Math.Min(s.Length, (long)(g + 1) * options.GroupSize); i++) yield return i;
    }

    private static uint Term(TensorState s, long i, uint word)
    {
        uint w = unchecked((uint)WordBits.Signed(word, s.Width));
        return (s.Mask[i >> 6] >> (int)(i & 63) & 1) != 0 ? unchecked(0u - w) : w;
    }

    private string BitsText() => options.SignatureBits is { } b ? string.Join("+", b) : "top2";
}

/// <summary>
/// Settings of <see cref="RadarChecksum"/>: entries per group, interleaved or contiguous groups, which bits of the
/// masked group sum form the signature (null = the stored word's two top bits: 6–7 for int8, 30–31 for float32,
/// the bits a bit-flip attack goes for), and the secret key that draws the ±1 mask.
/// </summary>
public sealed record RadarOptions(int GroupSize = 64, bool Interleaved = true, IReadOnlyList<int>? SignatureBits = null, ulong Key = 0);
