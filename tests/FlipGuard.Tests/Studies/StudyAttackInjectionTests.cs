using System.Text.Json;
using System.Text.RegularExpressions;
using FlipGuard.Attacks;
using FlipGuard.Core;
using FlipGuard.Reports;
using FlipGuard.Studies;
using FlipGuard.Studies.Analyses;
using FlipGuard.Studies.Results;

namespace FlipGuard.Tests.Studies;

/// <summary>The attack and injection analyses inside a study: end to end, in the report, content-addressed and resumable.</summary>
[Trait("Category", TestCategories.EndToEnd)]
public class StudyAttackInjectionTests
{
    /// <summary>Two recipes, two epochs on 1,000 digits; a short attack (target 50%) and two bit-error rates on 300 test digits: seconds.</summary>
    private static readonly string Tiny = StudyYaml.Header("tiny-attack") + StudyYaml.HatRecipe + """
        analyses:
          attack:
            seeds: 2
            top-k: 3
            batch: 64
            max-flips: 8
            target-accuracy: 0.5
            limit: 300
          injection:
            ber: [1e-4, 1e-3]
            trials: 4
            limit: 300
        """;

    private static StudyResults Read(string dir)
    {
        using var store = ResultsStore.Open(Path.Combine(dir, "results.db"), create: false);
        return store.Read();
    }

    private static MetricValue Value(StudyResults r, StudyModel m, string name) => r.Values[m.Key].Single(v => v.Name == name);

    [Fact]
    public void AttackAndInjectionRunReportAndRerunOnlyWhatChanged()
    {
        using var dir = new TempDirectory();
        string d = dir.Sub("s");
        var first = StudyRunner.Run(StudyConfig.Parse(Tiny, "t.yaml", d), new StudyRunOptions(d));
        Assert.Equal((2, 2, 4), (first.Models, first.ModelsTrained, first.AnalysesRun));
        var r = Read(d);
        foreach (var m in r.Models)
        {
            // The table's flips are the mean over the two attacks of the stored trajectories (an attack that ran out of budget counts its flips).
            var attack = JsonSerializer.Deserialize<AttackResult>(r.DetailOf(m.Key, "attack")!, RecordJournal.Json)!;
            Assert.Equal(2, attack.Trajectories.Count);
            double[] flips = attack.Trajectories.Select(t => (double)(t.FlipsToTarget ?? t.Steps.Count)).ToArray();
            Assert.All(flips, f => Assert.InRange(f, 1, 8));
            var v = Value(r, m, AttackStudyAnalysis.Flips);
            Assert.Equal(flips.Average(), v.Value, 12);
            Assert.True(v.Low < v.Value && v.High > v.Value || flips[0] == flips[1]);
            Assert.Equal(attack.Reached / 2.0, Value(r, m, AttackStudyAnalysis.Reached).Value);
            foreach (var t in attack.Trajectories.Where(t => t.FlipsToTarget is not null)) Assert.True(t.Steps[^1].Accuracy <= 0.5);
            Assert.True(File.Exists(Path.Combine(d, "analyses", m.FolderName, $"attack-{AttackKey(Tiny)[..8]}", "journal", "definition.json")));

            // 1e-3 of 8.5 M float32 bits is ~8,500 flips, ~270 of them exponent MSBs: the model cannot survive that; 1e-4 hurts less on average.
            double clean = Value(r, m, StudyRunner.Accuracy.Name).Value;
            var low = Value(r, m, InjectionStudyAnalysis.AccuracyAt(1e-4));
            var high = Value(r, m, InjectionStudyAnalysis.AccuracyAt(1e-3));
            Assert.InRange(high.Value, 0, clean - 0.2);
            Assert.True(low.Value >= high.Value, $"{low.Value} < {high.Value}");
            Assert.True(high.Low <= high.Value && high.Value <= high.High);
            var injection = JsonSerializer.Deserialize<InjectionStudyDetail>(r.DetailOf(m.Key, "injection")!, RecordJournal.Json)!;
            Assert.Equal([4, 4], injection.Trials.Select(t => t.Count));
            Assert.Equal(injection.Trials[1].Average(t => t.Correct / 300.0), high.Value, 12);
        }

        var files = ReportWriter.Write(r, d);
        string md = File.ReadAllText(files.Markdown), html = File.ReadAllText(files.Html);
        foreach (string header in new[] { "BFA flips", "BFA flips: change", "BFA flips: sd over attacks", "attacks reaching target", "acc. @ BER 1e-4", "acc. @ BER 1e-3" })
        {
            Assert.Contains($"| {header} |", md);
            Assert.Contains($"<th>{header}</th>", html);
        }
        Assert.Matches(@"\| HAT trace \| 1 \| [\d.]+% \[[\d.]+%, [\d.]+%\] \| [\d.]+ \[[\d.,−-]+, [\d.,]+\] \| [+−][\d.]+% \(95% CI", md);
        Assert.Matches(@"\*\*[^*]+\*\* has the highest BFA flips|No recipe beats \*\*plain\*\* on BFA flips|All recipes tie on BFA flips", md);
        Assert.Contains("Hessian-aware models need 2–3× more flips", md);
        Assert.Matches(@"against plain, HAT trace \d+\.\d\d× the flips", md);
        var names = files.Figures.Select(f => Path.GetFileName(f.Path)).ToList();
        Assert.Contains("attack-accuracy-vs-flips-mlp.png", names);
        Assert.Contains("injection-accuracy-vs-ber-mlp.png", names);
        Assert.Contains("attack-flips.png", names);                                   // the headline column keeps its bar chart
        Assert.DoesNotContain(names, n => n.StartsWith("injection-accuracy-1", StringComparison.Ordinal));  // the band chart replaces a bar chart per rate
        foreach (var f in files.Figures) Assert.True(new FileInfo(f.Path).Length > 1000, f.Path);
        Assert.Contains("](figures/attack-accuracy-vs-flips-mlp.png)", md);
        Assert.Contains("](figures/injection-accuracy-vs-ber-mlp.png)", md);
        int images = Regex.Matches(html, "src=\"data:image/png;base64,").Count;
        Assert.Equal(files.Figures.Count + 2 * r.Models.Count, images);            // every comparison chart + each model's attack and injection chart

        // Only the attack's settings change: the attack reruns on both models, the injection and the models are reused.
        string changed = Tiny.Replace("max-flips: 8", "max-flips: 6", StringComparison.Ordinal);
        var again = StudyRunner.Run(StudyConfig.Parse(changed, "t.yaml", d), new StudyRunOptions(d));
        Assert.Equal((0, 2, 2, 2), (again.ModelsTrained, again.ModelsReused, again.AnalysesRun, again.AnalysesReused));
        var r2 = Read(d);
        foreach (var m in r.Models)
            Assert.Equal(Value(r, m, InjectionStudyAnalysis.AccuracyAt(1e-3)), Value(r2, m, InjectionStudyAnalysis.AccuracyAt(1e-3)));
        Assert.Equal(2, Directory.GetDirectories(Path.Combine(d, "analyses", r.Models[0].FolderName), "attack-*").Length);
    }

    [Fact]
    public void StudyKilledInTheAttackAndInTheInjectionEndsLikeAnUninterruptedOne()
    {
        using var dir = new TempDirectory();
        string straight = dir.Sub("straight"), killed = dir.Sub("killed");
        string text = Tiny.Replace(StudyYaml.HatRecipe, "", StringComparison.Ordinal)
            .Replace("trials: 4", "trials: 8", StringComparison.Ordinal);
        Assert.DoesNotContain("name: hat", text);
        StudyRunner.Run(StudyConfig.Parse(text, "t.yaml", straight), new StudyRunOptions(straight));
        var expected = Read(straight);

        var seen = new List<StudyProgress>();
        foreach (string stage in new[] { "attack", "injection" })
        {
            using var cts = new CancellationTokenSource();
            var progress = new ProgressRelay<StudyProgress>(p => { seen.Add(p); if (p.Stage == stage && !p.Finished && p.Fraction > 0.3) cts.Cancel(); });
            Assert.ThrowsAny<OperationCanceledException>(() => StudyRunner.Run(StudyConfig.Parse(text, "t.yaml", killed), new StudyRunOptions(killed), progress, cts.Token));
            var work = Directory.GetDirectories(Path.Combine(killed, "analyses"), stage + "-*", SearchOption.AllDirectories).Single();
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(work, "journal"), "unit-*.json"));
        }
        Assert.Contains(seen, p => p is { Stage: "attack", Finished: true, Skipped: false });  // the second run finished the attack the first had begun

        var last = StudyRunner.Run(StudyConfig.Parse(text, "t.yaml", killed), new StudyRunOptions(killed));
        Assert.Equal((0, 1, 1, 1), (last.ModelsTrained, last.ModelsReused, last.AnalysesRun, last.AnalysesReused));
        var actual = Read(killed);
        var m0 = expected.Models.Single();
        Assert.Equal(expected.Values[m0.Key].OrderBy(v => v.Name), actual.Values[actual.Models.Single().Key].OrderBy(v => v.Name));
        var a = JsonSerializer.Deserialize<AttackResult>(expected.DetailOf(m0.Key, "attack")!, RecordJournal.Json)!;
        var b = JsonSerializer.Deserialize<AttackResult>(actual.DetailOf(m0.Key, "attack")!, RecordJournal.Json)!;
        Assert.Equal(a.Trajectories.Select(t => t.Steps.Select(s => (s.Tensor, s.Index, s.Bit, s.Correct))),
                     b.Trajectories.Select(t => t.Steps.Select(s => (s.Tensor, s.Index, s.Bit, s.Correct))));
    }

    private static string AttackKey(string text)
    {
        using var dir = new TempDirectory();
        return StudyAnalysisKey.Of(StudyConfig.Parse(text, "t.yaml", dir.Path).Analyses.Single(a => a.Name == "attack"));
    }
}
