using FlipGuard.Sweeps;

namespace FlipGuard.Charts;

/// <summary>
/// The three pictures of a bit-flip sweep: the RAD histogram, the counts of harmful flips per bit position
/// (log scale, since they span orders of magnitude between exponent and mantissa bits) and per layer.
/// </summary>
public static class SweepCharts
{
    /// <summary>Writes <c>rad-histogram.png</c>, <c>bits.png</c> and <c>layers.png</c> into <paramref name="directory"/> and returns their paths.</summary>
    public static IReadOnlyList<string> Write(string directory, SweepSummary s, string modelName)
    {
        var o = s.Overall;
        string[] bins = ["improved", .. s.HistogramBins];
        double[] counts = [o.Improved, .. o.Histogram.Select(v => (double)v)];
        var paths = new List<string>
        {
            PngChart.GroupedBars(Path.Combine(directory, "rad-histogram.png"), $"RAD of single bit flips — {modelName} ({s.FlipsEvaluated:N0} flips)",
                "relative accuracy drop (RAD)", "flips (log scale)", bins, [("flips", counts)], logY: true),
            PngChart.GroupedBars(Path.Combine(directory, "bits.png"), $"Harmful flips per bit position — {modelName}", "bit (0 = mantissa LSB, 31 = sign)",
                "flips (log scale)", s.PerBit.Select(g => g.Key).ToList(),
                [("RAD > 10%", s.PerBit.Select(g => (double)g.RadAbove10).ToArray()), ("RAD 90–100%", s.PerBit.Select(g => (double)g.Rad90To100).ToArray())], logY: true),
            PngChart.GroupedBars(Path.Combine(directory, "layers.png"), $"Harmful flips per layer — {modelName}", "layer",
                "flips (log scale)", s.PerLayer.Select(g => g.Key).ToList(),
                [("RAD > 10%", s.PerLayer.Select(g => (double)g.RadAbove10).ToArray()), ("RAD 90–100%", s.PerLayer.Select(g => (double)g.Rad90To100).ToArray())], logY: true),
        };
        return paths;
    }
}
