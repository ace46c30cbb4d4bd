namespace FlipGuard.Statistics;

/// <summary>Welford's running mean and variance, numerically stable for the long probe sequences of stochastic estimators.</summary>
public sealed class RunningStatistics
{
    private double mean, m2;

    /// <summary>Number of values seen.</summary>
    public int Count { get; private set; }

    /// <summary>Mean of the values.</summary>
    public double Mean => mean;

    /// <summary>Mean of the absolute values (a positive scale for relative tolerances).</summary>
    public double MeanAbsolute { get; private set; }

    /// <summary>Standard error of the mean (0 with fewer than two values).</summary>
    public double StandardError => Count < 2 ? 0 : Math.Sqrt(m2 / (Count - 1) / Count);

    /// <summary>Adds one value.</summary>
    public void Add(double x)
    {
        Count++;
        double d = x - mean;
        mean += d / Count;
        m2 += d * (x - mean);
        MeanAbsolute += (Math.Abs(x) - MeanAbsolute) / Count;
    }
}
