using FlipGuard.Attacks;

namespace FlipGuard.Reports;

/// <summary>The picture of a bit-flip attack: test accuracy against the number of flips, one line per seed, one colour per model.</summary>
public static class AttackCharts
{
    /// <summary>Writes the accuracy-vs-flips chart of one or more attacked models (e.g. plain vs Hessian-aware) to <paramref name="path"/>.</summary>
    public static string AccuracyVsFlips(string path, IReadOnlyList<(string Name, AttackResult Result)> models)
    {
        var groups = models.Select(m => (m.Name, (IReadOnlyList<(double[], double[])>)m.Result.Trajectories.Select(t =>
        (
            Enumerable.Range(0, t.Steps.Count + 1).Select(i => (double)i).ToArray(),
            t.Steps.Select(s => s.Accuracy * 100).Prepend(m.Result.CleanAccuracy * 100).ToArray()
        )).ToList())).ToList();
        var first = models[0].Result;
        string bits = first.Definition.Int8 ? "int8" : "float32";
        return Charts.LineGroups(path, $"Progressive bit search ({bits}, {first.Definition.Seeds.Count} seeds per model)", "bit flips", "test accuracy (%)",
            groups, ("target", first.TargetAccuracy * 100));
    }
}
