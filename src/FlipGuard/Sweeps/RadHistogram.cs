namespace FlipGuard.Sweeps;

/// <summary>
/// The RAD histogram's bins: 20 bins of 5% each, [0,5%), [5,10%), …, [95%,100%] (the last one closed), plus a
/// separate "improved" bin for flips that raise accuracy (RAD &lt; 0). RAD cannot exceed 100% (accuracy ≥ 0), and
/// binning uses the integer counts, so no rounding can move a flip across a bin edge.
/// </summary>
public static class RadHistogram
{
    /// <summary>Number of 5% bins.</summary>
    public const int Bins = 20;

    /// <summary>Bin labels, "0-5%" … "95-100%".</summary>
    public static IReadOnlyList<string> Labels { get; } = Enumerable.Range(0, Bins).Select(i => $"{5 * i}-{5 * (i + 1)}%").ToArray();

    /// <summary>The bin of a flip with <paramref name="drop"/> = clean − correct (≥ 0) out of <paramref name="clean"/>.</summary>
    public static int BinOf(long drop, long clean) => (int)Math.Min(Bins - 1, drop * Bins / clean);

    /// <summary>Whether RAD &gt; 10% (the flip "matters").</summary>
    public static bool Above10(long drop, long clean) => drop * 10 > clean;

    /// <summary>Whether RAD is in [90%, 100%] (the flip all but destroys the model: the headline metric).</summary>
    public static bool From90(long drop, long clean) => drop * 10 >= clean * 9;
}
