namespace FlipGuard.Statistics;

/// <summary>
/// How accuracy spreads over the trials of one fault level: mean, median, 5th/95th percentiles (linear
/// interpolation between order statistics), extremes, and the share of trials whose RAD exceeds 10% and 90%
/// (decided on integer counts, as in sweeps).
/// </summary>
public sealed record AccuracyDistribution(double Mean, double Median, double P5, double P95, double Min, double Max, double FractionRadAbove10, double FractionRadAbove90)
{
    /// <summary>The distribution of <paramref name="correct"/> counts out of <paramref name="samples"/>, RAD relative to <paramref name="clean"/>.</summary>
    public static AccuracyDistribution From(IReadOnlyList<long> correct, int samples, long clean)
    {
        if (correct.Count == 0) return new(double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        double[] acc = correct.Select(c => (double)c / samples).Order().ToArray();
        double above10 = correct.Count(c => (clean - c) * 10 > clean), above90 = correct.Count(c => (clean - c) * 10 > 9 * clean);
        return new(acc.Average(), Percentile(acc, 50), Percentile(acc, 5), Percentile(acc, 95), acc[0], acc[^1], above10 / acc.Length, above90 / acc.Length);
    }

    /// <summary>The <paramref name="percent"/>-th percentile of ascending <paramref name="sorted"/> (linear interpolation, as numpy's default).</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double percent)
    {
        double h = (sorted.Count - 1) * percent / 100;
        int lo = (int)Math.Floor(h);
        int hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
