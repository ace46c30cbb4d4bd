namespace FlipGuard.Statistics;

/// <summary>An estimated total over a population with its 95% confidence interval.</summary>
public sealed record ProportionEstimate(double Estimate, double Low, double High)
{
    private const double Z = 1.959963984540054;

    /// <summary>
    /// population × p̂ with the Wilson score interval for p̂ = <paramref name="fraction"/> observed on <paramref name="trials"/>
    /// independent draws. Wilson rather than the normal interval because the interesting proportions are tiny
    /// (often 0), where the normal interval collapses to a point.
    /// </summary>
    public static ProportionEstimate Wilson(double fraction, long trials, double population)
    {
        if (trials <= 0) return new ProportionEstimate(double.NaN, 0, population);
        double n = trials, z2 = Z * Z;
        double denominator = 1 + z2 / n;
        double centre = (fraction + z2 / (2 * n)) / denominator;
        double half = Z * Math.Sqrt(fraction * (1 - fraction) / n + z2 / (4 * n * n)) / denominator;
        return new ProportionEstimate(population * fraction, population * Math.Max(0, centre - half), population * Math.Min(1, centre + half));
    }
}
