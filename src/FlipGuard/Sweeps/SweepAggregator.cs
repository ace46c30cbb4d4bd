using FlipGuard.Faults.Targets;
using FlipGuard.Statistics;

namespace FlipGuard.Sweeps;

/// <summary>
/// Turns per-flip counts into a <see cref="SweepSummary"/>. Walks entries in ordinal order (all bits of an entry
/// are consecutive), so "erratic entry" is decided per entry without any per-entry storage.
/// </summary>
internal static class SweepAggregator
{
    public static SweepSummary Summarize(SweepResult r)
    {
        var sites = r.Sites;
        long clean = r.CleanCorrect;
        var layers = sites.Tensors.Select(t => t.Layer).Distinct().ToList();
        var layerOfTensor = sites.Tensors.Select(t => layers.IndexOf(t.Layer)).ToArray();
        var overall = new GroupAccumulator("all");
        var perBit = sites.Bits.Select(b => new GroupAccumulator(b.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToArray();
        var perLayer = layers.Select(l => new GroupAccumulator(l)).ToArray();
        var perDirection = new[] { new GroupAccumulator("0to1"), new GroupAccumulator("1to0") };
        int bits = sites.Bits.Count;
        var counts = r.Counts;
        for (int e = 0; e < sites.Entries; e++)
        {
            var layer = perLayer[layerOfTensor[sites.TensorOf(e)]];
            for (int j = 0; j < bits; j++)
            {
                long ordinal = (long)e * bits + j;
                int c = counts[(int)ordinal];
                if (c < 0) continue;
                long drop = clean - c;
                overall.Add(drop, clean);
                perBit[j].Add(drop, clean);
                layer.Add(drop, clean);
                perDirection[(int)sites.Direction(ordinal)].Add(drop, clean);
                perBit[j].EndEntry();
            }
            overall.EndEntry();
            layer.EndEntry();
            perDirection[0].EndEntry();
            perDirection[1].EndEntry();
        }
        var all = overall.ToGroup();
        var shards = r.Shards.Count == 1 ? r.Shards[0].ToString() : $"{r.Shards.Count} of {r.Shards[0].Count} merged";
        return new SweepSummary(r.Definition, r.Definition.Sha256(), shards, r.Evaluated == sites.Count, r.Evaluator, r.Samples, clean,
            (double)clean / r.Samples, sites.Count, r.Evaluated, RadHistogram.Labels, all,
            perBit.Select(a => a.ToGroup()).ToList(), perLayer.Select(a => a.ToGroup()).ToList(), perDirection.Select(a => a.ToGroup()).ToList(),
            sites.Sampled ? Estimate(all, sites) : null);
    }

    private static SweepEstimates Estimate(SweepGroup all, FlipSites sites)
    {
        long popFlips = sites.PopulationEntries * sites.Bits.Count;
        double flips = Math.Max(1, all.Flips);
        return new SweepEstimates(sites.PopulationEntries, popFlips, all.Entries,
            ProportionEstimate.Wilson(all.ErraticFraction, all.Entries, sites.PopulationEntries),
            ProportionEstimate.Wilson(all.RadAbove10 / flips, all.Entries, popFlips),
            ProportionEstimate.Wilson(all.Rad90To100 / flips, all.Entries, popFlips));
    }
}
