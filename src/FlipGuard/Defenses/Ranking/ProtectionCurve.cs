using FlipGuard.Defenses.Ecc;
using FlipGuard.Faults.Targets;

namespace FlipGuard.Defenses.Ranking;

/// <summary>One point of a protection curve: the top <see cref="Fraction"/> of words protected by ECC and what stays vulnerable.</summary>
/// <param name="Fraction">Share of the swept tensors' 64-bit words protected.</param>
/// <param name="ProtectedWords">Words protected.</param>
/// <param name="CheckBits">Check bits stored for them (8 per word).</param>
/// <param name="Residual90">Flips with RAD 90–100% left in unprotected words.</param>
/// <param name="ResidualAbove10">Flips with RAD &gt; 10% left in unprotected words.</param>
public sealed record ProtectionPoint(double Fraction, long ProtectedWords, long CheckBits, long Residual90, long ResidualAbove10);

/// <summary>
/// Residual vulnerability against protected fraction for one ranking (selective SEC-DED on the top-ranked words), from
/// one unprotected sweep's per-flip counts: a protected word corrects any single flip, so a flip's effect survives only
/// in an unprotected word. Also the cost of cutting the 90–100% count by 90%.
/// </summary>
/// <param name="Ranking">Name of the ranking.</param>
/// <param name="Words">Words of the swept tensors.</param>
/// <param name="Total90">Unprotected 90–100% count.</param>
/// <param name="TotalAbove10">Unprotected &gt; 10% count.</param>
/// <param name="Points">The curve.</param>
/// <param name="Cut90">Fewest top-ranked words whose protection removes ≥ 90% of the 90–100% flips.</param>
public sealed record ProtectionCurve(string Ranking, long Words, long Total90, long TotalAbove10, IReadOnlyList<ProtectionPoint> Points, ProtectionPoint Cut90)
{
    /// <summary>
    /// The curve of <paramref name="scores"/> over <paramref name="truth"/>'s tensors at <paramref name="fractions"/>, with
    /// <paramref name="perWord"/> entries per word (2 for float32, 8 for int8; see <see cref="EccWords"/>).
    /// </summary>
    public static ProtectionCurve Compute(EntryScores scores, EntryVulnerability truth, int perWord, IReadOnlyList<double> fractions)
    {
        var sites = truth.Sites;
        var words = new List<(double Score, long V90, long V10)>();
        int e = 0;
        for (int s = 0; s < sites.Tensors.Count; s++)
        {
            var t = sites.Tensors[s];
            long n = EccWords.Count(t.Length, perWord);
            var tensorScores = scores.PerTensor[t.Target];
            for (long w = 0; w < n; w++)
            {
                long v90 = 0, v10 = 0;
                for (; e < sites.Entries && sites.TensorOf(e) == s && sites.IndexOf(e) / perWord == w; e++)
                {
                    v90 += truth.From90[e];
                    v10 += truth.Above10[e];
                }
                words.Add((EntryScores.WordScore(tensorScores, w, perWord), v90, v10));
            }
        }
        var ranked = words.Select((w, k) => (w, k)).OrderByDescending(x => x.w.Score).ThenBy(x => x.k).Select(x => x.w).ToArray();
        var cum90 = new long[ranked.Length + 1];
        var cum10 = new long[ranked.Length + 1];
        for (int i = 0; i < ranked.Length; i++) (cum90[i + 1], cum10[i + 1]) = (cum90[i] + ranked[i].V90, cum10[i] + ranked[i].V10);
        long total90 = cum90[^1], total10 = cum10[^1];
        ProtectionPoint At(int k) => new((double)k / ranked.Length, k, (long)k * SecDedCode.CheckBits, total90 - cum90[k], total10 - cum10[k]);
        var points = fractions.Select(f => At((int)Math.Ceiling(f * ranked.Length))).ToList();
        int cut = 0;
        while (cut < ranked.Length && (total90 - cum90[cut]) * 10 > total90) cut++;
        return new ProtectionCurve(scores.Ranking, ranked.Length, total90, total10, points, At(cut));
    }

    /// <summary>The oracle ranking: each entry scored by its measured 90–100% count (then &gt; 10% count), the best any ranking can do.</summary>
    public static EntryScores OracleScores(FlipTarget target, EntryVulnerability truth)
    {
        var per = target.Tensors.Select(t => new double[t.Length]).ToList();
        for (int e = 0; e < truth.Sites.Entries; e++)
            per[truth.Sites.Tensors[truth.Sites.TensorOf(e)].Target][truth.Sites.IndexOf(e)] = truth.From90[e] * 1000.0 + truth.Above10[e];
        return new EntryScores("oracle", per);
    }
}
