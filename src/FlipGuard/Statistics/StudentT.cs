namespace FlipGuard.Statistics;

/// <summary>
/// The 97.5% quantile of Student's t distribution, for 95% intervals over a handful of seeds (where the normal
/// 1.96 would be far too narrow). Tabulated; fractional degrees of freedom (Welch) round down, which widens the
/// interval slightly rather than narrowing it.
/// </summary>
public static class StudentT
{
    private static readonly double[] Table =
    [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];

    /// <summary>t such that P(T ≤ t) = 0.975 with <paramref name="degreesOfFreedom"/> (≥ 1).</summary>
    public static double Quantile975(double degreesOfFreedom)
    {
        if (!(degreesOfFreedom >= 1)) throw new ArgumentOutOfRangeException(nameof(degreesOfFreedom), degreesOfFreedom, "need at least one degree of freedom");
        int df = (int)Math.Floor(degreesOfFreedom);
        return df <= 30 ? Table[df - 1] : df < 40 ? 2.042 : df < 60 ? 2.021 : df < 120 ? 2.000 : df < 1000 ? 1.980 : 1.960;
    }
}
