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
    private readonly sbyte[] q;

    internal FlipSites(IReadOnlyList<SiteTensor> tensors, int[] bits, bool int8, int[] entryTensor, long[] entryIndex, float[] oldValue, sbyte[] q, long populationEntries)
    {
        (Tensors, this.bits, Int8, this.entryTensor, this.entryIndex, this.oldValue, this.q, PopulationEntries) =
            (tensors, bits, int8, entryTensor, entryIndex, oldValue, q, populationEntries);
        Count = (long)entryIndex.Length * bits.Length;
        if (Count > Array.MaxLength)
            throw new FlipGuardException($"the sweep has {Count:N0} flips, more than one run can hold; sample parameters (--params sample:N) or select fewer bits");
    }

    /// <summary>
    /// The flips of <paramref name="bits"/> × the entries <paramref name="parameters"/> chooses in <paramref name="target"/>,
    /// a sample drawn with <paramref name="seed"/>. Old values are read from the live tensors (int8: q and the scale).
    /// </summary>
    /// <exception cref="FlipGuardException">A bit outside the target's format, or a selection that matches nothing.</exception>
    public static FlipSites Create(FlipTarget target, BitSelection bits, ParameterSelection parameters, ulong seed)
    {
        int width = target.BitsPerEntry;
        if (bits.Bits.Any(b => b >= width))
            throw new FlipGuardException($"--bits {bits.Text}: {(target.Int8 ? "int8" : "float32")} weights have bits 0–{width - 1}");
        var chosen = parameters.ChooseTensors(target);
        var tensors = chosen.Select(i =>
        {
            var t = target.Tensors[i];
            return new SiteTensor(i, t.Name, t.Layer, t.Kind, t.Length, t.Quantized?.Scale ?? 0);
        }).ToList();
        long population = tensors.Sum(t => t.Length);
        long[] picks = parameters.SampleSize > 0 ? ParameterSelection.Sample(population, parameters.SampleSize, seed) : [];
        long entries = parameters.SampleSize > 0 ? picks.Length : population;
        if (entries > Array.MaxLength) throw new FlipGuardException($"--params {parameters.Canonical}: {entries:N0} entries are too many for one run; sample them");
        var entryTensor = new int[entries];
        var entryIndex = new long[entries];
        var old = new float[entries];
        var q = target.Int8 ? new sbyte[entries] : [];
        long start = 0;
        int e = 0, p = 0;
        for (int s = 0; s < tensors.Count; s++)
        {
            var t = target.Tensors[tensors[s].Target];
            float[] values = t.ReadValues();
            var tq = t.Quantized is { } qt ? qt.Q.Span : default;
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
                if (target.Int8) q[e] = tq[(int)local];
                e++;
            }
            start = end;
        }
        return new FlipSites(tensors, bits.Bits.ToArray(), target.Int8, entryTensor, entryIndex, old, q, population);
    }

    /// <summary>The swept tensors (those the parameter selection chose), in model order.</summary>
    public IReadOnlyList<SiteTensor> Tensors { get; }
    /// <summary>The bit positions flipped in every entry, ascending.</summary>
    public IReadOnlyList<int> Bits => bits;
    /// <summary>Whether entries are int8 (bits of q) rather than float32.</summary>
    public bool Int8 { get; }
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
    /// <summary>The stored int8 integer of entry <paramref name="entry"/> (int8 mode only).</summary>
    public sbyte StoredInt8(int entry) => q[entry];

    /// <summary>The flip with this ordinal.</summary>
    public FlipSite Site(long ordinal)
    {
        int e = (int)(ordinal / bits.Length);
        int bit = bits[(int)(ordinal % bits.Length)];
        var (direction, value) = Flip(e, bit);
        return new FlipSite(Tensors[entryTensor[e]].Target, entryIndex[e], bit, direction, oldValue[e], value);
    }

    /// <summary>The parameter change that flip <paramref name="ordinal"/> makes (what an evaluator is given).</summary>
    public ParameterChange Change(long ordinal)
    {
        int e = (int)(ordinal / bits.Length);
        var (_, value) = Flip(e, bits[(int)(ordinal % bits.Length)]);
        return new ParameterChange(Tensors[entryTensor[e]].Target, entryIndex[e], value);
    }

    /// <summary>The direction of flip <paramref name="ordinal"/>, cheaply (for aggregation).</summary>
    public FlipDirection Direction(long ordinal)
    {
        int e = (int)(ordinal / bits.Length);
        int bit = bits[(int)(ordinal % bits.Length)];
        return Int8 ? Int8Quantizer.Direction(q[e], bit) : Float32Bits.Direction(oldValue[e], bit);
    }

    private (FlipDirection, float) Flip(int e, int bit)
    {
        if (!Int8) return (Float32Bits.Direction(oldValue[e], bit), Float32Bits.Flip(oldValue[e], bit));
        float scale = Tensors[entryTensor[e]].Scale;
        return (Int8Quantizer.Direction(q[e], bit), Int8Quantizer.Dequantize(Int8Quantizer.Flip(q[e], bit), scale));
    }

    internal ReadOnlySpan<int> EntryTensorSpan => entryTensor;
    internal ReadOnlySpan<long> EntryIndexSpan => entryIndex;
    internal ReadOnlySpan<float> OldValueSpan => oldValue;
    internal ReadOnlySpan<sbyte> Int8Span => q;
}
