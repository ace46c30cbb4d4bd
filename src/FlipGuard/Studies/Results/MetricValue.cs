using FlipGuard.Statistics;

namespace FlipGuard.Studies.Results;

/// <summary>
/// One measured value of a <see cref="MetricKind"/> on one model, with a 95% interval when the measurement itself
/// samples (a Hutchinson trace, a sampled sweep, accuracy on a finite test set); null bounds mean the value is exact
/// for this model.
/// </summary>
public sealed record MetricValue(string Name, double Value, double? Low = null, double? High = null)
{
    /// <summary>
    /// The mean of repeated measurements on one model (attacks, random trials) with a 95% t-interval over them,
    /// clipped to [<paramref name="min"/>, <paramref name="max"/>]; a single measurement has no interval.
    /// </summary>
    public static MetricValue MeanOf(string name, IReadOnlyList<double> values, double min = double.NegativeInfinity, double max = double.PositiveInfinity)
    {
        double mean = values.Average();
        if (values.Count < 2) return new MetricValue(name, mean);
        double half = StudentT.Quantile975(values.Count - 1) * SampleStandardDeviation(values) / Math.Sqrt(values.Count);
        return new MetricValue(name, mean, Math.Max(min, mean - half), Math.Min(max, mean + half));
    }

    /// <summary>The sample standard deviation (n − 1); NaN for fewer than two values.</summary>
    public static double SampleStandardDeviation(IReadOnlyList<double> values)
    {
        if (values.Count < 2) return double.NaN;
        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }
}
