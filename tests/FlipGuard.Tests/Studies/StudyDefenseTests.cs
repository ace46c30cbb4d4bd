using System.Text.Json;
using FlipGuard.Checkpoints;
using FlipGuard.Core;
using FlipGuard.Reports;
using FlipGuard.Studies;
using FlipGuard.Studies.Analyses;
using FlipGuard.Studies.Results;

namespace FlipGuard.Tests.Studies;

/// <summary>The defense analysis inside a study: what each defense leaves of single flips and of the attack, in the store and the report, resumable.</summary>
public class StudyDefenseTests
{
    /// <summary>One recipe, two epochs on 1,000 digits; 40 sampled exponent-MSB flips and one short attack per defense on 300 test digits.</summary>
    private static readonly string Tiny = StudyYaml.Header("tiny-defense") + """
        analyses:
          defense:
            defenses: [guard, radar, ecc, hessian-ecc]
            protect: 0.5
            probes: 2
            hessian-samples: 200
            params: sample:40
            attack-seeds: 2
            top-k: 3
            batch: 64
            max-flips: 8
            target-accuracy: 0.5
            limit: 300
        """;

    private static StudyResults Read(string dir)
    {
        using var store = ResultsStore.Open(Path.Combine(dir, "results.db"), create: false);
        return store.Read();
    }

    private static double Value(StudyResults r, StudyModel m, string name) => r.Values[m.Key].Single(v => v.Name == name).Value;

    [Fact]
    [Trait("Category", TestCategories.EndToEnd)]
    public void EveryDefenseGetsItsResidualAndAttackColumnsAndTheGuaranteesHold()
    {
        using var dir = new TempDirectory();
        string d = dir.Sub("s");
        var first = StudyRunner.Run(StudyConfig.Parse(Tiny, "t.yaml", d), new StudyRunOptions(d));
        Assert.Equal((1, 1), (first.Models, first.AnalysesRun));
        var r = Read(d);
        var m = r.Models.Single();
        var runs = JsonSerializer.Deserialize<List<DefenseStudyRun>>(r.DetailOf(m.Key, DefenseStudyAnalysis.AnalysisName)!, CheckpointFile.JsonOptions)!;
        Assert.Equal(["guard", "radar", "ecc", "hessian-ecc"], runs.Select(x => x.Defense));
        foreach (var run in runs) Assert.Equal(40, run.Screening.Flips);

        var ecc = runs.Single(x => x.Defense == "ecc");
        Assert.Equal(40, ecc.Screening.Neutralised);                       // SEC-DED corrects every single flip
        Assert.Equal(0, Value(r, m, DefenseStudyAnalysis.Residual("ecc")));
        Assert.Equal(40, runs.Single(x => x.Defense == "radar").Screening.Detected);  // bit 30 is a signature bit: always detected
        Assert.Equal(0.125, ecc.Overhead.ExtraFraction, 12);              // 8 check bits per 64
        Assert.InRange(runs.Single(x => x.Defense == "hessian-ecc").Overhead.ProtectedEntries, 1, ecc.Overhead.Entries - 1);

        // Through full ECC the attacker's flips are corrected before each inference: no attack reaches 50% within 8 flips.
        Assert.NotNull(ecc.Attack);
        Assert.Equal(2, ecc.Attack!.Trajectories.Count);
        Assert.Equal(0, ecc.Attack.Reached);
        Assert.Equal(8, Value(r, m, DefenseStudyAnalysis.AttackFlips("ecc")));
        foreach (var run in runs)
            Assert.Equal(run.Attack!.Trajectories.Average(t => (double)(t.FlipsToTarget ?? t.Steps.Count)), Value(r, m, DefenseStudyAnalysis.AttackFlips(run.Defense)), 12);

        var files = ReportWriter.Write(r, d);
        string md = File.ReadAllText(files.Markdown);
        foreach (string header in new[] { "guard: residual bits RAD > 10%", "radar: BFA flips", "ecc: BFA flips", "hessian-ecc: residual bits RAD > 10%" })
            Assert.Contains($"| {header} |", md);
        // The defense columns get their own table and two charts across defenses instead of eight bar charts.
        Assert.Contains("### mlp: defenses", md);
        Assert.DoesNotContain("| guard: residual bits RAD > 10% |", md[..md.IndexOf("### mlp: defenses", StringComparison.Ordinal)]);
        var names = files.Figures.Select(f => Path.GetFileName(f.Path)).ToList();
        Assert.Contains("defense-bfa-mlp.png", names);
        Assert.Contains("defense-residual-mlp.png", names);
        Assert.DoesNotContain(names, n => n.StartsWith("defense-ecc", StringComparison.Ordinal));
        foreach (var f in files.Figures) Assert.True(new FileInfo(f.Path).Length > 1000, f.Path);
    }

    [Fact]
    [Trait("Category", TestCategories.EndToEnd)]
    public void StudyKilledInTheDefenseStageEndsLikeAnUninterruptedOne()
    {
        using var dir = new TempDirectory();
        string straight = dir.Sub("straight"), killed = dir.Sub("killed");
        string text = Tiny.Replace("guard, radar, ecc, hessian-ecc", "guard, ecc", StringComparison.Ordinal);
        StudyRunner.Run(StudyConfig.Parse(text, "t.yaml", straight), new StudyRunOptions(straight));
        var expected = Read(straight);

        using (var cts = new CancellationTokenSource())
        {
            var progress = new ProgressRelay<StudyProgress>(p => { if (p.Stage == DefenseStudyAnalysis.AnalysisName && !p.Finished && p.Fraction > 0.6) cts.Cancel(); });
            Assert.ThrowsAny<OperationCanceledException>(() => StudyRunner.Run(StudyConfig.Parse(text, "t.yaml", killed), new StudyRunOptions(killed), progress, cts.Token));
        }
        var last = StudyRunner.Run(StudyConfig.Parse(text, "t.yaml", killed), new StudyRunOptions(killed));
        Assert.Equal((0, 1), (last.ModelsTrained, last.AnalysesRun));
        var actual = Read(killed);
        Assert.Equal(expected.Values[expected.Models.Single().Key].OrderBy(v => v.Name), actual.Values[actual.Models.Single().Key].OrderBy(v => v.Name));
    }

    [Theory]
    [InlineData("defenses: [guard, radar, ecc, hessian-ecc]", "defenses: [guard, moat]", "unknown defense 'moat'")]
    [InlineData("defenses: [guard, radar, ecc, hessian-ecc]", "defenses: [ecc, ecc]", "a defense is repeated")]
    [InlineData("protect: 0.5", "protect: 1.5", "analyses.defense.protect must be in (0, 1], got 1.5")]
    [InlineData("max-flips: 8", "max-flips: 8\n    shields: 2", "unknown key analyses.defense.shields")]
    public void BadDefenseSettingsAreOneLineErrors(string from, string to, string expected)
    {
        var e = Assert.Throws<FlipGuardException>(() => StudyConfig.Parse(Tiny.Replace(from, to, StringComparison.Ordinal), "t.yaml", "unused"));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
