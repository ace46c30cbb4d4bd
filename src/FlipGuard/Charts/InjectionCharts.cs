using FlipGuard.Injection;

namespace FlipGuard.Charts;

/// <summary>The picture of a random-fault campaign: median test accuracy per fault level inside its 5th–95th percentile band.</summary>
public static class InjectionCharts
{
    /// <summary>Writes the accuracy-vs-level chart of one or more models to <paramref name="path"/> (log x when every level is positive).</summary>
    public static string AccuracyVsLevel(string path, IReadOnlyList<(string Name, InjectionResult Result)> models)
    {
        var mode = models[0].Result.Definition.Mode;
        bool logX = models.All(m => m.Result.Levels.All(l => l.Level > 0));
        var series = models.Select(m =>
        {
            var levels = m.Result.Levels;
            return (m.Name, levels.Select(l => l.Level).ToArray(), levels.Select(l => l.Accuracy.Median * 100).ToArray(),
                levels.Select(l => l.Accuracy.P5 * 100).ToArray(), levels.Select(l => l.Accuracy.P95 * 100).ToArray());
        }).ToList();
        return PngChart.Bands(path, $"Random bit flips ({models[0].Result.Definition.Encoding}): median accuracy, 5th–95th percentile band",
            mode == InjectionMode.BitErrorRate ? "bit-error rate" : "flipped bits", "test accuracy (%)", series, logX);
    }
}
