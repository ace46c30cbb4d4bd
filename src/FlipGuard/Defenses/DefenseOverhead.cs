namespace FlipGuard.Defenses;

/// <summary>
/// The memory a defense adds, so that defenses can be compared at equal cost. Extra bits are themselves stored
/// memory (a flip can hit a check bit too), which is why they are counted rather than treated as free.
/// </summary>
/// <param name="Entries">Flippable parameter entries of the model.</param>
/// <param name="ProtectedEntries">Entries the defense covers.</param>
/// <param name="ExtraBits">Bits stored beyond the weights (signatures, ranges, check bits, keys).</param>
/// <param name="WeightBits">Bits the weights themselves occupy (entries × 32, or × 8 in int8 mode).</param>
public sealed record DefenseOverhead(long Entries, long ProtectedEntries, long ExtraBits, long WeightBits)
{
    /// <summary>Extra bits per parameter entry of the whole model.</summary>
    public double ExtraBitsPerWeight => Entries == 0 ? 0 : (double)ExtraBits / Entries;

    /// <summary>Extra storage relative to the weights' own.</summary>
    public double ExtraFraction => WeightBits == 0 ? 0 : (double)ExtraBits / WeightBits;
}
