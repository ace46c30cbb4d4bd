using FlipGuard.Defenses;
using FlipGuard.Defenses.Ecc;
using FlipGuard.Defenses.Ranking;
using FlipGuard.Faults.Encodings;
using FlipGuard.Faults.Evaluation;
using FlipGuard.Faults.Targets;
using FlipGuard.Statistics;
using FlipGuard.Sweeps;

namespace FlipGuard.Tests.Defenses;

public class ProtectionCurveTests
{
    [Fact]
    public void TheCurveEqualsADefendedSweepWithThoseWordsProtected()
    {
        var (target, x, y) = DefenseCases.Tiny(int8: false, seed: 11);
        var options = new SweepOptions(BitSelection.Parse("29-31"), ParameterSelection.All);
        var plain = BitFlipSweep.Run(target, new NaiveFlipEvaluator(target, x, y), options);
        var truth = EntryVulnerability.From(plain);
        Assert.True(truth.TotalAbove10 > 0);
        double[] fractions = [0, 0.1, 0.3, 0.6, 1];
        foreach (var scores in new[] { EntryScores.Magnitude(target), EntryScores.Random(target, 4), ProtectionCurve.OracleScores(target, truth) })
        {
            var curve = ProtectionCurve.Compute(scores, truth, EccWords.EntriesPerWord(target), fractions);
            Assert.Equal(SweepSummary.From(plain).Overall.RadAbove10, curve.TotalAbove10);
            Assert.Equal(0, curve.Points[^1].ResidualAbove10);
            for (int i = 0; i < fractions.Length; i++)
            {
                var ecc = new EccProtection(scores.TopWords(target, fractions[i]));
                ecc.Protect(target);
                Assert.Equal(curve.Points[i].ProtectedWords, ecc.Overhead.ExtraBits / SecDedCode.CheckBits);
                using var evaluator = new DefendedFlipEvaluator(target, ecc, new NaiveFlipEvaluator(target, x, y), x, y);
                var s = SweepSummary.From(BitFlipSweep.Run(target, evaluator, options with { Defense = ecc.Name })).Overall;
                Assert.Equal((curve.Points[i].Residual90, curve.Points[i].ResidualAbove10), (s.Rad90To100, s.RadAbove10));
            }
        }
    }

    [Fact]
    public void TheOracleCurveIsNeverAboveAnyOther()
    {
        var (target, x, y) = DefenseCases.Tiny(int8: false, seed: 11);
        var plain = BitFlipSweep.Run(target, new NaiveFlipEvaluator(target, x, y), new SweepOptions(BitSelection.Parse("30"), ParameterSelection.All));
        var truth = EntryVulnerability.From(plain);
        double[] fractions = [0.05, 0.1, 0.2, 0.4];
        var oracle = ProtectionCurve.Compute(ProtectionCurve.OracleScores(target, truth), truth, 2, fractions);
        var random = ProtectionCurve.Compute(EntryScores.Random(target, 1), truth, 2, fractions);
        for (int i = 0; i < fractions.Length; i++) Assert.True(oracle.Points[i].Residual90 <= random.Points[i].Residual90);
        Assert.True(oracle.Cut90.ProtectedWords <= random.Cut90.ProtectedWords);
    }

    [Fact]
    public void SpearmanMatchesHandComputedValues()
    {
        Assert.Equal(1, RankCorrelation.Spearman([1, 2, 3, 4], [10, 20, 30, 400]), 12);
        Assert.Equal(-1, RankCorrelation.Spearman([1, 2, 3, 4], [4, 3, 2, 1]), 12);
        // Ties get average ranks: a = (1, 2.5, 2.5, 4), b = (1, 2, 3, 4) → ρ = 4.5 / sqrt(4.5 · 5).
        Assert.Equal(4.5 / Math.Sqrt(4.5 * 5), RankCorrelation.Spearman([0, 1, 1, 2], [1, 2, 3, 4]), 12);
        Assert.True(double.IsNaN(RankCorrelation.Spearman([1, 1, 1], [1, 2, 3])));
    }

    [Fact]
    public void ThePredictedLossChangeIsTheSecondOrderTermOfTheWorstBit()
    {
        var (target, _, _) = DefenseCases.Tiny(int8: false);
        var t = target.Tensors[0];
        float[] w = t.ReadValues();
        var g = new float[w.Length];
        var h = new float[w.Length];
        for (int i = 0; i < w.Length; i++) (g[i], h[i]) = (0.1f * (i % 3), -0.5f + 0.01f * i);
        var score = HessianGuidedRanking.Predict(t, g, h, [22, 31]);
        for (int i = 0; i < w.Length; i++)
        {
            double best = new[] { 22, 31 }.Max(b =>
            {
                double d = (double)Float32Bits.Flip(w[i], b) - w[i];
                return Math.Abs(g[i] * d) + 0.5 * Math.Abs(h[i]) * d * d;
            });
            Assert.Equal(best, score[i], 12);
        }
        var blowUp = HessianGuidedRanking.Predict(t, g, h, [30]);
        Assert.All(blowUp, s => Assert.True(s > 1e60));
    }

    [Fact]
    public void HessianScoresRankEveryEntry()
    {
        var (target, x, y) = DefenseCases.Tiny(int8: true);
        var scores = HessianGuidedRanking.Score(target, [(x, y)], [6, 7], probes: 8, seed: 1);
        Assert.Equal(target.Tensors.Select(t => t.Length), scores.PerTensor.Select(p => (long)p.Length));
        Assert.All(scores.PerTensor.SelectMany(p => p), s => Assert.True(s >= 0 && double.IsFinite(s)));
        Assert.Contains(scores.PerTensor.SelectMany(p => p), s => s > 0);
    }
}
