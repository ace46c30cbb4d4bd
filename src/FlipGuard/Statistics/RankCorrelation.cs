namespace FlipGuard.Statistics;

/// <summary>Spearman rank correlation, the measure of whether a predicted vulnerability orders parameters like the measured one.</summary>
public static class RankCorrelation
{
    /// <summary>Spearman's ρ: Pearson correlation of the average ranks (NaN when either side is constant).</summary>
    public static double Spearman(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        double[] ra = Ranks(a), rb = Ranks(b);
        double ma = ra.Average(), mb = rb.Average(), sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < ra.Length; i++)
        {
            double x = ra[i] - ma, y = rb[i] - mb;
            sab += x * y; saa += x * x; sbb += y * y;
        }
        return saa == 0 || sbb == 0 ? double.NaN : sab / Math.Sqrt(saa * sbb);
    }

    private static double[] Ranks(IReadOnlyList<double> v)
    {
        var order = Enumerable.Range(0, v.Count).OrderBy(i => v[i]).ToArray();
        var rank = new double[v.Count];
        for (int i = 0; i < order.Length;)
        {
            int j = i;
            while (j + 1 < order.Length && v[order[j + 1]].Equals(v[order[i]])) j++;
            double r = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) rank[order[k]] = r;
            i = j + 1;
        }
        return rank;
    }
}
