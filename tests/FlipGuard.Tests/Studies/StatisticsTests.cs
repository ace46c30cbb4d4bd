using FlipGuard.Statistics;
using FlipGuard.Studies.Results;

namespace FlipGuard.Tests.Studies;

public class StatisticsTests
{
    [Fact]
    public void SeedSummaryIsMeanSampleSdAndStudentInterval()
    {
        var s = MetricSummary.Of([new("m", 1), new("m", 2), new("m", 6)]);
        Assert.Equal(3, s.Mean, 12);
        Assert.Equal(Math.Sqrt(7), s.StandardDeviation, 12);          // ((−2)² + (−1)² + 3²) / 2 = 7
        double half = 4.303 * Math.Sqrt(7) / Math.Sqrt(3);            // t(0.975, 2) = 4.303
        Assert.Equal((3 - half, 3 + half), (s.Low, s.High));
        Assert.Equal(IntervalBasis.Seeds, s.Basis);
    }

    [Fact]
    public void SingleSeedKeepsItsOwnIntervalOrNone()
    {
        Assert.Equal(IntervalBasis.Sampling, MetricSummary.Of([new("m", 5, 4, 6)]).Basis);
        var exact = MetricSummary.Of([new("m", 5)]);
        Assert.Equal((IntervalBasis.None, 5.0), (exact.Basis, exact.Mean));
        Assert.Equal(0, MetricSummary.Of([]).Count);
    }

    [Fact]
    public void WelchComparisonMatchesHandComputation()
    {
        double[] a = [10, 12, 14], b = [20, 21, 22];                    // var 4 and 1, n 3
        var sa = MetricSummary.Of(a.Select(v => new MetricValue("m", v)).ToList());
        var sb = MetricSummary.Of(b.Select(v => new MetricValue("m", v)).ToList());
        var c = MetricComparison.Of(sb, sa, b, a);
        double se = Math.Sqrt(4.0 / 3 + 1.0 / 3);
        double df = Math.Pow(5.0 / 3, 2) / (Math.Pow(4.0 / 3, 2) / 2 + Math.Pow(1.0 / 3, 2) / 2);  // ≈ 2.94 → t(2) = 4.303
        Assert.InRange(df, 2, 3);
        Assert.Equal(9, c.Difference, 12);
        Assert.Equal(0.75, c.Relative, 12);
        Assert.Equal(9 - 4.303 * se, c.Low, 9);
        Assert.Equal((9 + 4.303 * se) / 12, c.RelativeHigh, 9);
        Assert.True(c.Clear);
    }

    [Fact]
    public void SamplingComparisonCombinesIntervalsAndSaysWhenItIsNotClear()
    {
        const double z = 1.959963984540054;
        var reference = MetricSummary.Of([new("m", 100, 100 - z * 3, 100 + z * 3)]);
        var candidate = MetricSummary.Of([new("m", 95, 95 - z * 4, 95 + z * 4)]);
        var c = MetricComparison.Of(candidate, reference, [95], [100]);
        Assert.Equal(IntervalBasis.Sampling, c.Basis);
        Assert.Equal(-5 - z * 5, c.Low, 9);                             // √(3² + 4²) = 5
        Assert.False(c.Clear);
        var none = MetricComparison.Of(MetricSummary.Of([new("m", 1)]), MetricSummary.Of([new("m", 2)]), [1], [2]);
        Assert.Equal(IntervalBasis.None, none.Basis);
        Assert.False(none.Clear);
    }

    [Fact]
    public void StudentQuantilesAreTheTabulatedOnes()
    {
        Assert.Equal(12.706, StudentT.Quantile975(1));
        Assert.Equal(2.776, StudentT.Quantile975(4.9));
        Assert.Equal(1.96, StudentT.Quantile975(1e6));
        Assert.Throws<ArgumentOutOfRangeException>(() => StudentT.Quantile975(0.5));
    }
}
