using FlipGuard.Statistics;

namespace FlipGuard.Studies.Results;

/// <summary>
/// A recipe's metric against the reference recipe's: the difference of means and the same relative to the reference
/// mean, each with a 95% interval when there is one — Welch's t over seeds when both have at least two, otherwise
/// the two measurements' own sampling intervals combined (normal approximation), otherwise none. The relative
/// interval divides by the reference mean as if it were exact.
/// </summary>
public sealed record MetricComparison(double Difference, double Relative, double Low, double High, double RelativeLow, double RelativeHigh, IntervalBasis Basis)
{
    /// <summary>Whether the interval exists and excludes zero.</summary>
    public bool Clear => Basis != IntervalBasis.None && (Low > 0 || High < 0);

    /// <summary>Compares <paramref name="candidate"/> with <paramref name="reference"/>.</summary>
    public static MetricComparison Of(MetricSummary candidate, MetricSummary reference, IReadOnlyList<double> candidateValues, IReadOnlyList<double> referenceValues)
    {
        double diff = candidate.Mean - reference.Mean;
        double scale = Math.Abs(reference.Mean);
        double rel = scale > 0 ? diff / scale : double.NaN;
        double half;
        IntervalBasis basis;
        if (candidate.Count >= 2 && reference.Count >= 2)
        {
            double va = Variance(candidateValues) / candidate.Count, vb = Variance(referenceValues) / reference.Count;
            double se = Math.Sqrt(va + vb);
            double df = se == 0 ? 1e9 : Math.Pow(va + vb, 2) / (va * va / (candidate.Count - 1) + vb * vb / (reference.Count - 1));
            half = StudentT.Quantile975(Math.Max(1, df)) * se;
            basis = IntervalBasis.Seeds;
        }
        else if (candidate.Basis == IntervalBasis.Sampling && reference.Basis == IntervalBasis.Sampling)
        {
            half = 1.959963984540054 * Math.Sqrt(Math.Pow(candidate.SamplingStandardError, 2) + Math.Pow(reference.SamplingStandardError, 2));
            basis = IntervalBasis.Sampling;
        }
        else return new MetricComparison(diff, rel, double.NaN, double.NaN, double.NaN, double.NaN, IntervalBasis.None);
        return new MetricComparison(diff, rel, diff - half, diff + half, scale > 0 ? (diff - half) / scale : double.NaN, scale > 0 ? (diff + half) / scale : double.NaN, basis);
    }

    private static double Variance(IReadOnlyList<double> v)
    {
        double m = v.Average();
        return v.Sum(x => (x - m) * (x - m)) / (v.Count - 1);
    }
}
