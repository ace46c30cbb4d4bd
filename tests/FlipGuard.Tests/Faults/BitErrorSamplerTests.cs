using FlipGuard.Core;
using FlipGuard.Injection;

namespace FlipGuard.Tests.Faults;

public class BitErrorSamplerTests
{
    /// <summary>The number of flipped bits must follow Binomial(n, p): Pearson's chi-square against the exact pmf.</summary>
    [Theory]
    [InlineData(20_000L, 5e-4, 3000)]      // mean 10
    [InlineData(1_000_000_000L, 1e-9, 3000)] // mean 1, tiny rate over a huge population
    [InlineData(2_000L, 0.3, 2000)]        // mean 600, large rate
    public void FlipCountFollowsTheBinomialLaw(long n, double p, int trials)
    {
        var counts = new Dictionary<int, int>();
        for (int t = 0; t < trials; t++)
        {
            var hits = BitErrorSampler.Independent(n, p, SplitMix64.ForStream(42, (ulong)t));
            Assert.True(hits.Zip(hits.Skip(1)).All(h => h.First < h.Second) && hits.All(h => h >= 0 && h < n));
            counts[hits.Count] = counts.GetValueOrDefault(hits.Count) + 1;
        }
        var (chi2, df) = ChiSquare(counts, k => BinomialPmf(n, p, k), trials);
        Assert.True(chi2 < ChiSquareCritical(df), $"chi-square {chi2:F1} with {df} degrees of freedom");
    }

    [Fact]
    public void TinyRatesHitAsOftenAsTheyShould()
    {
        // n = 1e7 bits at 1e-9: P(at least one flip) = 1 - (1-p)^n ≈ 0.00995; 40,000 trials expect ≈ 398.
        const long n = 10_000_000;
        const double p = 1e-9;
        const int trials = 40_000;
        int hit = Enumerable.Range(0, trials).Count(t => BitErrorSampler.Independent(n, p, SplitMix64.ForStream(7, (ulong)t)).Count > 0);
        double q = 1 - Math.Exp(n * Math.Log(1 - p));
        double mean = trials * q, sd = Math.Sqrt(trials * q * (1 - q));
        Assert.InRange(hit, mean - 4.5 * sd, mean + 4.5 * sd);
        Assert.Empty(BitErrorSampler.Independent(n, 0, new SplitMix64(1)));
        Assert.Equal(5, BitErrorSampler.Independent(5, 1, new SplitMix64(1)).Count);
        Assert.Throws<FlipGuardException>(() => BitErrorSampler.Independent(n, 1.5, new SplitMix64(1)));
    }

    [Fact]
    public void PositionsAreUniform()
    {
        const int n = 40;
        var independent = new int[n];
        var exactly = new int[n];
        const int trials = 6000;
        for (int t = 0; t < trials; t++)
        {
            foreach (long h in BitErrorSampler.Independent(n, 0.1, SplitMix64.ForStream(3, (ulong)t))) independent[h]++;
            long[] e = BitErrorSampler.Exactly(n, 4, SplitMix64.ForStream(5, (ulong)t));
            Assert.Equal(4, e.Distinct().Count());
            foreach (long h in e) exactly[h]++;
        }
        foreach (var cells in new[] { independent, exactly })
        {
            double expected = cells.Sum() / (double)n;
            double chi2 = cells.Sum(c => (c - expected) * (c - expected) / expected);
            Assert.True(chi2 < ChiSquareCritical(n - 1), $"chi-square {chi2:F1}");
        }
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), BitErrorSampler.Exactly(10, 10, new SplitMix64(2)));
    }

    [Fact]
    public void SameSeedSameBits()
    {
        var a = RandomFaultInjection.DrawFlips(InjectionMode.BitErrorRate, 1e-3, 100_000, 9, 17);
        var b = RandomFaultInjection.DrawFlips(InjectionMode.BitErrorRate, 1e-3, 100_000, 9, 17);
        var c = RandomFaultInjection.DrawFlips(InjectionMode.BitErrorRate, 1e-3, 100_000, 9, 18);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    /// <summary>Pearson's statistic, merging outcomes from both tails inwards until every cell expects ≥ 5.</summary>
    private static (double Chi2, int Df) ChiSquare(Dictionary<int, int> observed, Func<int, double> pmf, int trials)
    {
        int lo = observed.Keys.Min(), hi = observed.Keys.Max();
        double mass = Enumerable.Range(lo, hi - lo + 1).Sum(pmf);
        // Widen the range until it holds essentially all probability.
        while (lo > 0 && pmf(lo - 1) * trials > 1e-9) lo--;
        while (pmf(hi + 1) * trials > 1e-9) hi++;
        var cells = new List<(double Expected, int Observed)>();
        double e = 0; int o = 0;
        for (int k = lo; k <= hi; k++)
        {
            e += pmf(k) * trials; o += observed.GetValueOrDefault(k);
            if (e >= 5) { cells.Add((e, o)); e = 0; o = 0; }
        }
        if (cells.Count > 0) cells[^1] = (cells[^1].Expected + e, cells[^1].Observed + o);
        double chi2 = cells.Sum(c => (c.Observed - c.Expected) * (c.Observed - c.Expected) / c.Expected);
        return (chi2, cells.Count - 1);
    }

    private static double BinomialPmf(long n, double p, int k)
    {
        if (k < 0 || k > n) return 0;
        double log = k * Math.Log(p) + (n - k) * Math.Log(1 - p);
        for (int i = 0; i < k; i++) log += Math.Log(n - i) - Math.Log(i + 1);
        return Math.Exp(log);
    }

    /// <summary>The 0.999 quantile of chi-square (Wilson–Hilferty), so a correct sampler fails one seed in a thousand at most.</summary>
    private static double ChiSquareCritical(int df)
    {
        const double z = 3.0902;
        double a = 2.0 / (9 * df);
        return df * Math.Pow(1 - a + z * Math.Sqrt(a), 3);
    }
}
