using FlipGuard.Faults.Targets;
using FlipGuard.Core;
using FlipGuard.Faults.Encodings;
using FlipGuard.Sweeps.Storage;

namespace FlipGuard.Sweeps;

/// <summary>
/// The deterministic enumeration of a sweep's flips. Entries (one parameter value each) are ordered by tensor in
/// model order, then by flat index ascending; each entry contributes one flip per selected bit, bits ascending.
/// So flip <c>ordinal = entry · bits + bitPosition</c> has a fixed global number in 0..Count−1, which shards,
/// journals and merges all rely on. Holds only flat arrays (no object per flip) and needs no torch once built.
/// </summary>
public sealed class FlipSites
{
    private readonly int[] bits, entryTensor;
    private readonly long[] entryIndex;
    private readonly float[] oldValue;
    private readonly uint[] words;
    private readonly int[] tensorTarget;
    private readonly float[] tensorScale;

    internal FlipSites(IReadOnlyList<SiteTensor> tensors, int[] bits, IWeightEncoding encoding, int[] entryTensor, long[] entryIndex, float[] oldValue, uint[] words,
        long populationEntries)
    {
        (Tensors, this.bits, Encoding, this.entryTensor, this.entryIndex, this.oldValue, this.words, PopulationEntries) =
            (tensors, bits, encoding, entryTensor, entryIndex, oldValue, words, populationEntries);
        tensorTarget = tensors.Select(t => t.Target).ToArray();
        tensorScale = tensors.Select(t => t.Scale).ToArray();
        Count = (long)entryIndex.Length * bits.Length;
        if (Count > Array.MaxLength)
            throw new FlipGuardException($"the sweep has {Count:N0} flips, more than one run can hold; sample parameters (--params sample:N) or select fewer bits");
    }

    /// <summary>
    /// The flips of <paramref name="bits"/> × the entries <paramref name="parameters"/> chooses in <paramref name="target"/>,
    /// a sample drawn with <paramref name="seed"/>. Old values are read from the live tensors, stored words and scales
    /// from the target's encoded tensors.
    /// </summary>
    /// <exception cref="FlipGuardException">A bit outside the target's format, or a selection that matches nothing.</exception>
    public static FlipSites Create(FlipTarget target, BitSelection bits, ParameterSelection parameters, ulong seed)
    {
        int width = target.BitsPerEntry;
        if (bits.Bits.Any(b => b >= width))
            throw new FlipGuardException($"--bits {bits.Text}: {target.Encoding.Name} weights have bits 0–{width - 1}");
        var chosen = parameters.ChooseTensors(target);
        var tensors = chosen.Select(i =>
        {
            var t = target.Tensors[i];
            return new SiteTensor(i, t.Name, t.Layer, t.Kind, t.Length, t.Encoded.Scale);
        }).ToList();
        long population = tensors.Sum(t => t.Length);
        long[] picks = parameters.SampleSize > 0 ? ParameterSelection.Sample(population, parameters.SampleSize, seed) : [];
        long entries = parameters.SampleSize > 0 ? picks.Length : population;
        if (entries > Array.MaxLength) throw new FlipGuardException($"--params {parameters.Canonical}: {entries:N0} entries are too many for one run; sample them");
        var entryTensor = new int[entries];
        var entryIndex = new long[entries];
        var old = new float[entries];
        var words = new uint[entries];
        long start = 0;
        int e = 0, p = 0;
        for (int s = 0; s < tensors.Count; s++)
        {
            var t = target.Tensors[tensors[s].Target];
            float[] values = t.ReadValues();
            var tw = t.Encoded.Words.Span;
            long end = start + t.Length;
            for (long i = start; i < end; i++)
            {
                if (parameters.SampleSize > 0)
                {
                    if (p >= picks.Length || picks[p] != i) continue;
                    p++;
                }
                long local = i - start;
                entryTensor[e] = s;
                entryIndex[e] = local;
                old[e] = values[local];
                words[e] = tw[(int)local];
                e++;
            }
            start = end;
        }
        return new FlipSites(tensors, bits.Bits.ToArray(), target.Encoding, entryTensor, entryIndex, old, words, population);
    }

    /// <summary>The swept tensors (those the parameter selection chose), in model order.</summary>
    public IReadOnlyList<SiteTensor> Tensors { get; }
    /// <summary>The bit positions flipped in every entry, ascending.</summary>
    public IReadOnlyList<int> Bits => bits;
    /// <summary>How the entries are stored (float32, int8), whose words the flips invert.</summary>
    public IWeightEncoding Encoding { get; }
    /// <summary>Swept parameter entries.</summary>
    public int Entries => entryIndex.Length;
    /// <summary>Entries in the chosen tensors before sampling (equal to <see cref="Entries"/> without sampling).</summary>
    public long PopulationEntries { get; }
    /// <summary>Whether the entries are a sample of the chosen tensors.</summary>
    public bool Sampled => Entries < PopulationEntries;
    /// <summary>Number of flips (ordinals 0..Count−1).</summary>
    public long Count { get; }

    /// <summary>Position in <see cref="Tensors"/> of entry <paramref name="entry"/>'s tensor.</summary>
    public int TensorOf(int entry) => entryTensor[entry];
    /// <summary>Flat index of entry <paramref name="entry"/> in its tensor.</summary>
    public long IndexOf(int entry) => entryIndex[entry];
    /// <summary>The value the model computes with for entry <paramref name="entry"/>, unflipped.</summary>
    public float OldValue(int entry) => oldValue[entry];
    /// <summary>The stored word of entry <paramref name="entry"/>, unflipped (int8: q; float32: the value's bits).</summary>
    public uint StoredWord(int entry) => words[entry];

    /// <summary>The flip with this ordinal.</summary>
    public FlipSite Site(long ordinal)
    {
        int e = (int)(ordinal / bits.Length);
        int bit = bits[(int)(ordinal % bits.Length)];
        float value = Encoding.Decode(WordBits.Flip(words[e], bit), tensorScale[entryTensor[e]]);
        return new FlipSite(tensorTarget[entryTensor[e]], entryIndex[e], bit, WordBits.Direction(words[e], bit), oldValue[e], value);
    }

    /// <summary>The parameter change that flip <paramref name="ordinal"/> makes (what an evaluator is given).</summary>
    public ParameterChange Change(long ordinal)
    {
        int e = (int)(ordinal / bits.Length);
        uint flipped = WordBits.Flip(words[e], bits[(int)(ordinal % bits.Length)]);
        return new ParameterChange(tensorTarget[entryTensor[e]], entryIndex[e], Encoding.Decode(flipped, tensorScale[entryTensor[e]]));
    }

    /// <summary>
    /// The parameter changes of <paramref name="shard"/>'s flips <paramref name="firstLocal"/>, <paramref name="firstLocal"/>+1, …
    /// (as many as <paramref name="changes"/> holds; shard-local numbers, see <see cref="SweepShard.Ordinal"/>): what
    /// <see cref="Change"/> gives for each, with the flipped words decoded a batch at a time.
    /// </summary>
    public void Changes(SweepShard shard, long firstLocal, Span<ParameterChange> changes)
    {
        const int Batch = 256;
        Span<uint> flipped = stackalloc uint[Batch];
        Span<float> scales = stackalloc float[Batch], values = stackalloc float[Batch];
        for (int at = 0; at < changes.Length; at += Batch)
        {
            int n = Math.Min(Batch, changes.Length - at);
            for (int k = 0; k < n; k++)
            {
                long ordinal = shard.Ordinal(firstLocal + at + k);
                int e = (int)(ordinal / bits.Length), s = entryTensor[e];
                flipped[k] = WordBits.Flip(words[e], bits[(int)(ordinal % bits.Length)]);
                scales[k] = tensorScale[s];
                changes[at + k] = new ParameterChange(tensorTarget[s], entryIndex[e], 0);
            }
            Encoding.Decode(flipped[..n], scales[..n], values[..n]);
            for (int k = 0; k < n; k++) changes[at + k] = changes[at + k] with { NewValue = values[k] };
        }
    }

    /// <summary>The direction of flip <paramref name="ordinal"/>, cheaply (for aggregation).</summary>
    public FlipDirection Direction(long ordinal)
    {
        int e = (int)(ordinal / bits.Length);
        return WordBits.Direction(words[e], bits[(int)(ordinal % bits.Length)]);
    }

    internal ReadOnlySpan<int> EntryTensorSpan => entryTensor;
    internal ReadOnlySpan<long> EntryIndexSpan => entryIndex;
    internal ReadOnlySpan<float> OldValueSpan => oldValue;
    internal ReadOnlySpan<uint> WordSpan => words;
}
