using FlipGuard.Core;

namespace FlipGuard.Faults.Targets;

/// <summary>
/// Every bit a random fault can hit: each entry of each tensor of a <see cref="FlipTarget"/> (model order, flat index
/// ascending) times the selected bit positions, numbered 0..Count−1 like a sweep's ordinals
/// (<c>ordinal = globalEntry · bits + bitPosition</c>). Maps an ordinal back to its <see cref="BitAddress"/>.
/// </summary>
public sealed class BitPopulation
{
    private readonly long[] starts;
    private readonly int[] bits;

    /// <summary>The bits <paramref name="selection"/> names in every entry of <paramref name="target"/>'s tensors.</summary>
    /// <exception cref="FlipGuardException">A selected bit outside the target's format.</exception>
    public BitPopulation(FlipTarget target, BitSelection selection)
    {
        if (selection.Bits.Any(b => b >= target.BitsPerEntry))
            throw new FlipGuardException($"--bits {selection.Text}: {target.Encoding.Name} weights have bits 0–{target.BitsPerEntry - 1}");
        bits = selection.Bits.ToArray();
        starts = new long[target.Tensors.Count + 1];
        for (int t = 0; t < target.Tensors.Count; t++) starts[t + 1] = starts[t] + target.Tensors[t].Length;
        Entries = starts[^1];
        Count = Entries * bits.Length;
    }

    /// <summary>Parameter entries covered.</summary>
    public long Entries { get; }

    /// <summary>Bits in the population.</summary>
    public long Count { get; }

    /// <summary>The bit with number <paramref name="ordinal"/>.</summary>
    public BitAddress Address(long ordinal)
    {
        if ((ulong)ordinal >= (ulong)Count) throw new ArgumentOutOfRangeException(nameof(ordinal));
        long entry = Math.DivRem(ordinal, bits.Length, out long b);
        int t = Array.BinarySearch(starts, entry);
        if (t < 0) t = ~t - 1;
        while (t + 1 < starts.Length && starts[t + 1] <= entry) t++;
        return new BitAddress(t, entry - starts[t], bits[b]);
    }
}
