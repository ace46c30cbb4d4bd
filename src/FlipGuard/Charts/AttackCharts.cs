using FlipGuard.Attacks;

namespace FlipGuard.Charts;

/// <summary>The picture of a bit-flip attack: test accuracy against the number of flips, one line per seed, one colour per model.</summary>
public static class AttackCharts
{
    /// <summary>Writes the accuracy-vs-flips chart of one or more attacked models (e.g. plain vs Hessian-aware) to <paramref name="path"/>.</summary>
    public static string AccuracyVsFlips(string path, IReadOnlyList<(string Name, AttackResult Result)> models) =>
        AccuracyVsFlips(path, models.Select(m => (m.Name, (IReadOnlyList<AttackResult>)[m.Result])).ToList(),
            $"{models[0].Result.Definition.Seeds.Count} seeds per model");

    /// <summary>
    /// The same chart with several models per colour (e.g. every training seed of one recipe): each model's attacks
    /// start from its own clean accuracy. <paramref name="note"/> completes the title (what one colour holds).
    /// </summary>
    public static string AccuracyVsFlips(string path, IReadOnlyList<(string Name, IReadOnlyList<AttackResult> Results)> groups, string note)
    {
        var lines = groups.Select(g => (g.Name, (IReadOnlyList<(double[], double[])>)g.Results.SelectMany(r => r.Trajectories.Select(t =>
        (
            Enumerable.Range(0, t.Steps.Count + 1).Select(i => (double)i).ToArray(),
            t.Steps.Select(s => s.Accuracy * 100).Prepend(r.CleanAccuracy * 100).ToArray()
        ))).ToList())).ToList();
        var first = groups[0].Results[0];
        return PngChart.LineGroups(path, $"Progressive bit search ({first.Definition.Encoding}, {note})", "bit flips", "test accuracy (%)", lines, ("target", first.TargetAccuracy * 100));
    }
}
