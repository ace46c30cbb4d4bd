using FlipGuard.Statistics;

namespace FlipGuard.Defenses.Ranking;

/// <summary>How well a ranking's top k entries find the measured vulnerable ones.</summary>
/// <param name="Fraction">Share of swept entries taken from the top of the ranking.</param>
/// <param name="PrecisionErratic">Share of the top k that are erratic (a flip with RAD &gt; 10%).</param>
/// <param name="RecallErratic">Share of erratic entries inside the top k.</param>
/// <param name="PrecisionCritical">Share of the top k with a flip of RAD 90–100%.</param>
/// <param name="RecallCritical">Share of such entries inside the top k.</param>
public sealed record RankingAtK(double Fraction, double PrecisionErratic, double RecallErratic, double PrecisionCritical, double RecallCritical);

/// <summary>
/// A ranking judged against a sweep's ground truth, entry by entry: precision and recall at several k, and the
/// Spearman rank correlation between the predicted score and the measured worst RAD (average ranks for ties).
/// </summary>
public sealed record RankingQuality(string Ranking, long Entries, long Erratic, long Critical, double Spearman, IReadOnlyList<RankingAtK> AtK)
{
    /// <summary>Evaluates <paramref name="scores"/> over the swept entries of <paramref name="truth"/>.</summary>
    public static RankingQuality Compute(EntryScores scores, EntryVulnerability truth, IReadOnlyList<double> fractions)
    {
        var sites = truth.Sites;
        int n = sites.Entries;
        var predicted = new double[n];
        for (int e = 0; e < n; e++) predicted[e] = scores.Of(sites.Tensors[sites.TensorOf(e)].Target, sites.IndexOf(e));
        var order = Enumerable.Range(0, n).OrderByDescending(e => predicted[e]).ThenBy(e => e).ToArray();
        long erratic = truth.Above10.Count(x => x > 0), critical = truth.From90.Count(x => x > 0);
        var atK = new List<RankingAtK>();
        foreach (double f in fractions)
        {
            int k = (int)Math.Ceiling(f * n);
            long hitE = 0, hitC = 0;
            for (int i = 0; i < k; i++)
            {
                if (truth.Above10[order[i]] > 0) hitE++;
                if (truth.From90[order[i]] > 0) hitC++;
            }
            atK.Add(new RankingAtK(f, k == 0 ? 0 : (double)hitE / k, erratic == 0 ? 0 : (double)hitE / erratic,
                k == 0 ? 0 : (double)hitC / k, critical == 0 ? 0 : (double)hitC / critical));
        }
        return new RankingQuality(scores.Ranking, n, erratic, critical, RankCorrelation.Spearman(predicted, truth.WorstRad), atK);
    }
}
