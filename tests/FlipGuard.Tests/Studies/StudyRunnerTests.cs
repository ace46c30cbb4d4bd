using FlipGuard.Core;
using FlipGuard.Studies;
using FlipGuard.Studies.Results;

namespace FlipGuard.Tests.Studies;

[Trait("Category", TestCategories.EndToEnd)]
public class StudyRunnerTests
{
    /// <summary>Three recipes (one fine-tuned from another), two epochs on 1,000 digits, small Hessian and sampled sweep: seconds.</summary>
    internal static readonly string Tiny = StudyYaml.Header("tiny") + StudyYaml.HatRecipe + """
          - name: ft
            label: fine-tuned HAT
            init: plain
            reg: trace
            lr: 0.01
            epochs: 1
        analyses:
          hessian:
            samples: 200
            probes: 4
            top-k: 1
          sweep:
            bits: exponent-msb
            params: sample:200
            limit: 300
            block-size: 16
        """;

    private static StudyConfig Config(string dir) => StudyConfig.Parse(Tiny, "tiny.yaml", dir);

    private static Dictionary<string, MetricValue[]> Values(string dir)
    {
        using var store = ResultsStore.Open(Path.Combine(dir, "results.db"), create: false);
        var r = store.Read();
        Assert.True(r.Info.Complete);
        return r.Models.ToDictionary(m => m.DisplayName, m => r.Values[m.Key].OrderBy(v => v.Name).ToArray());
    }

    [Fact]
    public void StudyKilledTwiceAndRerunEndsLikeAnUninterruptedOne()
    {
        using var dir = new TempDirectory();
        string straight = dir.Sub("straight"), killed = dir.Sub("killed");
        var first = StudyRunner.Run(Config(straight), new StudyRunOptions(straight));
        Assert.Equal((3, 3, 0, 6, 0), (first.Models, first.ModelsTrained, first.ModelsReused, first.AnalysesRun, first.AnalysesReused));
        var expected = Values(straight);
        Assert.Equal(3, expected.Count);
        Assert.All(expected.Values, v => Assert.Equal(
            ["hessian.top-eigenvalue", "hessian.trace", "sweep.erratic-fraction", "sweep.rad-above-10", "sweep.rad90", "training.accuracy"], v.Select(x => x.Name)));
        Assert.All(expected.Values, v => Assert.InRange(v.Single(x => x.Name == "training.accuracy").Value, 0.3, 1));

        // Kill 1: in the second epoch of the second model (its first epoch is snapshotted).
        using (var cts = new CancellationTokenSource())
        {
            var progress = new ProgressRelay<StudyProgress>(p => { if (p.Model == 2 && p.Stage == "training" && p.Detail.StartsWith("epoch 2/2", StringComparison.Ordinal)) cts.Cancel(); });
            Assert.ThrowsAny<OperationCanceledException>(() => StudyRunner.Run(Config(killed), new StudyRunOptions(killed), progress, cts.Token));
        }
        Assert.Single(Directory.GetDirectories(Path.Combine(killed, "checkpoints"), "*.state"));
        // Kill 2: in the middle of the second model's sweep (after some journal blocks).
        var seen = new List<StudyProgress>();
        using (var cts = new CancellationTokenSource())
        {
            var progress = new ProgressRelay<StudyProgress>(p => { seen.Add(p); if (p.Model == 2 && p.Stage == "sweep" && p.Fraction > 0.3) cts.Cancel(); });
            Assert.ThrowsAny<OperationCanceledException>(() => StudyRunner.Run(Config(killed), new StudyRunOptions(killed), progress, cts.Token));
        }
        Assert.Contains(seen, p => p is { Model: 1, Stage: "sweep", Finished: true, Skipped: true });
        Assert.Contains(seen, p => p is { Model: 2, Stage: "training", Finished: true, Skipped: false });
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(killed, "analyses"), "block-*.bin", SearchOption.AllDirectories));

        var last = StudyRunner.Run(Config(killed), new StudyRunOptions(killed));
        Assert.Equal((3, 1, 2, 3, 3), (last.Models, last.ModelsTrained, last.ModelsReused, last.AnalysesRun, last.AnalysesReused));
        var actual = Values(killed);
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (model, values) in expected) Assert.Equal(values, actual[model]);

        // Same recipe, same key: the two folders hold the same checkpoint names; a rerun computes nothing.
        Assert.Equal(Directory.GetFiles(Path.Combine(straight, "checkpoints")).Select(Path.GetFileName).Order(),
                     Directory.GetFiles(Path.Combine(killed, "checkpoints")).Select(Path.GetFileName).Order());
        var again = StudyRunner.Run(Config(killed), new StudyRunOptions(killed));
        Assert.Equal((0, 3, 0, 6), (again.ModelsTrained, again.ModelsReused, again.AnalysesRun, again.AnalysesReused));
    }

    [Fact]
    public void ChangingOneAnalysisRerunsOnlyThatAnalysis()
    {
        using var dir = new TempDirectory();
        string d = dir.Sub("s");
        // Two recipes (the fine-tuned one depends on the plain one), no eigenvalues: the cheapest study that shows it.
        string text = Tiny.Replace(StudyYaml.HatRecipe, "", StringComparison.Ordinal)
            .Replace("top-k: 1", "top-k: 0", StringComparison.Ordinal);
        Assert.DoesNotContain("name: hat", text);
        var first = StudyRunner.Run(StudyConfig.Parse(text, "t.yaml", d), new StudyRunOptions(d));
        Assert.Equal((2, 4), (first.ModelsTrained, first.AnalysesRun));
        var changed = StudyConfig.Parse(text.Replace("probes: 4", "probes: 5", StringComparison.Ordinal), "t.yaml", d);
        var r = StudyRunner.Run(changed, new StudyRunOptions(d));
        Assert.Equal((0, 2, 2, 2), (r.ModelsTrained, r.ModelsReused, r.AnalysesRun, r.AnalysesReused));
        var retrained = StudyConfig.Parse(text.Replace("lr: 0.01", "lr: 0.02", StringComparison.Ordinal), "t.yaml", d);
        var t = StudyRunner.Run(retrained, new StudyRunOptions(d));
        Assert.Equal((1, 1, 2, 2), (t.ModelsTrained, t.ModelsReused, t.AnalysesRun, t.AnalysesReused));
    }
}
