using FlipGuard.Statistics;

namespace FlipGuard.Studies.Results;

/// <summary>Where a 95% interval comes from: the spread between seeds, or the measurement's own sampling (one seed).</summary>
public enum IntervalBasis
{
    /// <summary>No interval: one seed and an exact measurement.</summary>
    None,
    /// <summary>Student-t interval over the seeds.</summary>
    Seeds,
    /// <summary>The single measurement's own interval (probes, sampled parameters, finite test set).</summary>
    Sampling,
}

/// <summary>
/// One cell of the study table: a metric of one recipe on one architecture over its seeds — mean, sample standard
/// deviation (seeds ≥ 2) and a 95% interval for the mean.
/// </summary>
public sealed record MetricSummary(int Count, double Mean, double StandardDeviation, double Low, double High, IntervalBasis Basis)
{
    /// <summary>Summarises the per-seed values (empty → Count 0, NaN mean).</summary>
    public static MetricSummary Of(IReadOnlyList<MetricValue> values)
    {
        int n = values.Count;
        if (n == 0) return new MetricSummary(0, double.NaN, double.NaN, double.NaN, double.NaN, IntervalBasis.None);
        double mean = values.Average(v => v.Value);
        if (n == 1)
        {
            var v = values[0];
            return v.Low is { } lo && v.High is { } hi
                ? new MetricSummary(1, mean, double.NaN, lo, hi, IntervalBasis.Sampling)
                : new MetricSummary(1, mean, double.NaN, double.NaN, double.NaN, IntervalBasis.None);
        }
        double sd = Math.Sqrt(values.Sum(v => (v.Value - mean) * (v.Value - mean)) / (n - 1));
        double half = StudentT.Quantile975(n - 1) * sd / Math.Sqrt(n);
        return new MetricSummary(n, mean, sd, mean - half, mean + half, IntervalBasis.Seeds);
    }

    /// <summary>Half the interval's width as a standard error (for combining sampling intervals).</summary>
    internal double SamplingStandardError => (High - Low) / (2 * 1.959963984540054);
}
