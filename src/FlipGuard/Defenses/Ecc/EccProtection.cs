using FlipGuard.Core;
using FlipGuard.Faults.Targets;

namespace FlipGuard.Defenses.Ecc;

/// <summary>
/// ECC memory for weights: every protected 64-bit word (2 float32 or 8 int8 entries) carries 8 check bits of the
/// (72,64) SEC-DED code (<see cref="SecDedCode"/>), so one flipped bit per word — in the data or in the check bits
/// — is corrected and two are detected; a detected, uncorrectable word is zeroed. Protection can be selective
/// (<see cref="WordSelection"/>): only chosen words pay the 12.5% storage, the rest are bare memory.
/// </summary>
public sealed class EccProtection(WordSelection? selection = null) : IDefense
{
    private sealed record TensorState(uint[] Words, byte[] Check, bool[]? Protected);

    private readonly WordSelection selection = selection ?? WordSelection.All;
    private TensorState[]? state;
    private FlipTarget? protectedTarget;
    private int perWord;

    /// <inheritdoc />
    public string Name => selection.IsAll ? "ecc(secded-72-64,all)" : $"ecc(secded-72-64,{selection.Label})";

    /// <inheritdoc />
    public DefenseOverhead Overhead { get; private set; } = new(0, 0, 0, 0);

    /// <inheritdoc />
    /// <exception cref="FlipGuardException">The selection does not match the target's tensors.</exception>
    public void Protect(FlipTarget target)
    {
        perWord = EccWords.EntriesPerWord(target);
        if (!selection.IsAll && selection.Protected.Count != target.Tensors.Count)
            throw new FlipGuardException($"ECC word selection covers {selection.Protected.Count} tensors, the model has {target.Tensors.Count}");
        state = new TensorState[target.Tensors.Count];
        long entries = 0, protectedEntries = 0, words = 0;
        for (int t = 0; t < state.Length; t++)
        {
            var tensor = target.Tensors[t];
            long n = EccWords.Count(tensor.Length, perWord);
            bool[]? chosen = selection.IsAll ? null : selection.Protected[t];
            if (chosen is not null && chosen.Length != n)
                throw new FlipGuardException($"ECC word selection has {chosen.Length} words for {tensor.Name}, which has {n}");
            var stored = StoredWords.Read(tensor);
            var check = new byte[n];
            for (long w = 0; w < n; w++)
            {
                if (chosen is not null && !chosen[w]) continue;
                check[w] = SecDedCode.Encode(EccWords.Pack(stored, w, perWord));
                words++;
                protectedEntries += Math.Min(perWord, tensor.Length - w * perWord);
            }
            state[t] = new TensorState(stored, check, chosen);
            entries += tensor.Length;
        }
        protectedTarget = target;
        Overhead = new DefenseOverhead(entries, protectedEntries, words * SecDedCode.CheckBits, entries * target.BitsPerEntry);
    }

    /// <summary>
    /// Flips stored check bit <paramref name="bit"/> (0–7) of word <paramref name="word"/> of tensor <paramref name="tensor"/>:
    /// a fault in the ECC memory itself, for injection experiments and tests.
    /// </summary>
    public void FlipCheckBit(int tensor, long word, int bit)
    {
        var st = state ?? throw new InvalidOperationException("Protect the target first");
        if ((uint)bit >= SecDedCode.CheckBits) throw new ArgumentOutOfRangeException(nameof(bit), bit, "a check bit is 0–7");
        st[tensor].Check[word] ^= (byte)(1 << bit);
    }

    /// <inheritdoc />
    public DefenseReport Repair(FlipTarget target)
    {
        var st = state ?? throw new InvalidOperationException("Protect the target before repairing it");
        if (!ReferenceEquals(target, protectedTarget)) throw new InvalidOperationException("this defense protects a different target");
        long checkedWords = 0, flagged = 0, corrected = 0, lost = 0, rewritten = 0;
        for (int t = 0; t < st.Length; t++)
        {
            var tensor = target.Tensors[t];
            var s = st[t];
            var live = StoredWords.Read(tensor);
            float[]? values = null;
            for (long w = 0; w < s.Check.Length; w++)
            {
                if (s.Protected is not null && !s.Protected[w]) continue;
                checkedWords++;
                var (data, status) = SecDedCode.Decode(EccWords.Pack(live, w, perWord), s.Check[w]);
                if (status == SecDedStatus.Clean) continue;
                flagged++;
                if (status == SecDedStatus.Corrected) corrected++; else { lost++; data = 0; }
                for (int k = 0; k < perWord && w * perWord + k < live.Length; k++)
                {
                    long i = w * perWord + k;
                    uint word = status == SecDedStatus.Corrected ? EccWords.Unpack(data, k, perWord) : StoredWords.Of(tensor, 0f);
                    if (word == live[i]) continue;
                    values ??= tensor.ReadValues();
                    values[i] = StoredWords.ValueOf(tensor, word);
                    live[i] = word;
                    rewritten++;
                }
                // Scrub: a corrected word (data or check bit) gets its clean check bits back; a zeroed word keeps them.
                if (status == SecDedStatus.Corrected) s.Check[w] = SecDedCode.Encode(EccWords.Pack(s.Words, w, perWord));
            }
            if (values is not null) StoredWords.Write(tensor, values);
        }
        return new DefenseReport(Name, checkedWords, flagged, corrected, lost, rewritten);
    }

    /// <inheritdoc />
    public bool Outcome(in ParameterChange fault, List<ParameterChange> effect)
    {
        effect.Clear();
        var st = state ?? throw new InvalidOperationException("Protect the target before asking for outcomes");
        var tensor = protectedTarget!.Tensors[fault.Tensor];
        var s = st[fault.Tensor];
        long w = fault.Index / perWord;
        if (s.Protected is not null && !s.Protected[w])
        {
            effect.Add(fault);
            return false;
        }
        ulong clean = EccWords.Pack(s.Words, w, perWord);
        int k = (int)(fault.Index - w * perWord), width = 64 / perWord;
        ulong mask = (width == 32 ? 0xFFFF_FFFFUL : (1UL << width) - 1) << (k * width);
        ulong read = clean & ~mask | ((ulong)StoredWords.Of(tensor, fault.NewValue) << (k * width) & mask);
        var (data, status) = SecDedCode.Decode(read, s.Check[w]);
        if (status == SecDedStatus.Uncorrectable) data = 0;
        for (int j = 0; j < perWord && w * perWord + j < s.Words.Length; j++)
        {
            long i = w * perWord + j;
            uint word = status == SecDedStatus.Uncorrectable ? StoredWords.Of(tensor, 0f) : EccWords.Unpack(data, j, perWord);
            if (word != s.Words[i]) effect.Add(new ParameterChange(fault.Tensor, i, StoredWords.ValueOf(tensor, word)));
        }
        return status != SecDedStatus.Clean;
    }
}
