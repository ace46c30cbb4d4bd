using FlipGuard.Core;
using FlipGuard.Studies;
using FlipGuard.Studies.Analyses;
using FlipGuard.Tests.Cli;
using FlipGuard.Training.Regularizers;

namespace FlipGuard.Tests.Studies;

public class StudyConfigTests
{
    private const string Valid = """
        name: t
        dataset: mnist-10k
        architectures: [mlp, lenet5]
        seeds: 3
        training:
          epochs: 2
          lr: 0.02
        recipes:
          - name: plain
          - name: hat
            label: HAT trace
            reg: trace
            lambda: 0.002
          - name: ft
            init: plain
            reg: trace
            epochs: 1
        reference: plain
        analyses:
          hessian:
            probes: 7
          sweep:
            bits: exponent-msb
            params: sample:10
        """;

    private static StudyConfig Parse(string text) => StudyConfig.Parse(text, "s.yaml", Path.GetTempPath());

    [Fact]
    public void ValidFileGivesRecipesSeedsAndAnalyses()
    {
        var c = Parse(Valid);
        Assert.Equal(["mlp", "lenet5"], c.Architectures);
        Assert.Equal([0L, 1L, 2L], c.Seeds);
        Assert.Equal(["plain", "hat", "ft"], c.Recipes.Select(r => r.Name));
        Assert.Equal(2, c.Recipes[0].Template.Epochs);
        Assert.Equal(0.02, c.Recipes[1].Template.LearningRate);
        Assert.Equal(("trace", 0.002, "HAT trace"), (c.Recipes[1].Template.Regularizer, c.Recipes[1].Template.RegularizerSettings.Get(HessianPenalty.Lambda), c.Recipes[1].Label));
        Assert.Equal(("plain", 1), (c.Recipes[2].InitFrom, c.Recipes[2].Template.Epochs));
        Assert.Equal(["hessian", "sweep"], c.Analyses.Select(a => a.Name));
        Assert.Equal(7, ((HessianStudySettings)c.Analyses[0].Settings).Probes);
        Assert.Equal("sample:10", ((SweepStudySettings)c.Analyses[1].Settings).Parameters);
    }

    [Fact]
    public void EveryPresetParses()
    {
        foreach (string name in StudyPresets.Names)
        {
            var c = StudyPresets.Load(name);
            Assert.Equal(name, c.Name);
            Assert.Contains(c.Analyses, a => a.Name == "sweep");
        }
        var quick = StudyPresets.Load("mnist-quick");
        Assert.Equal(("mnist-10k", 3), (quick.Dataset, quick.Recipes.Count));
        Assert.Equal(["none", "trace", "sam"], quick.Recipes.Select(r => r.Template.Regularizer));
        Assert.Equal(new SweepStudySettings("all", "all", 0, "float32", 0, 1000, 4096), quick.Analyses.Single(a => a.Name == "sweep").Settings);
    }

    [Fact]
    public void ExampleStudyFilesParse()
    {
        string? root = AppContext.BaseDirectory;
        while (root is not null && !File.Exists(Path.Combine(root, "FlipGuard.sln"))) root = Path.GetDirectoryName(root);
        Assert.NotNull(root);
        var files = Directory.GetFiles(Path.Combine(root, "examples"), "*.yaml");
        Assert.NotEmpty(files);
        foreach (string f in files)
        {
            var c = StudyConfig.Load(f);
            Assert.NotEmpty(c.Recipes);
            Assert.NotEmpty(c.Analyses);
        }
    }

    [Theory]
    [InlineData("epochs: 2", "epoch: 2", "s.yaml:6: unknown key training.epoch")]
    [InlineData("epochs: 2", "epochs: two", "s.yaml:6: training.epochs must be an integer, got 'two'")]
    [InlineData("[mlp, lenet5]", "[mlp, vgg]", "s.yaml:3: unknown architecture 'vgg'")]
    [InlineData("init: plain", "init: hat2", "s.yaml:15: recipe 'ft': init 'hat2' must name a training recipe listed before it")]
    [InlineData("    probes: 7", "    probes: 7\n  attacks:\n    seeds: 3", "s.yaml:22: unknown analysis 'attacks'")]
    [InlineData("    probes: 7", "    probes: 7\n  attack:\n    flips: 3", "s.yaml:23: unknown key analyses.attack.flips")]
    [InlineData("    probes: 7", "    probes: 7\n  attack:\n    top-k: 0", "s.yaml:23: analyses.attack: --top-k must be ≥ 1, got 0")]
    [InlineData("    probes: 7", "    probes: 7\n  injection:\n    ber: [1e-5, 2]", "s.yaml:23: analyses.injection: --ber 2: a bit-error rate is in [0, 1]")]
    [InlineData("params: sample:10", "params: sample:0", "s.yaml:24: analyses.sweep.params:")]
    [InlineData("lambda: 0.002", "lambda: 0.002\n    lr: -1", "s.yaml:10: recipe 'hat': lr must be a positive number")]
    [InlineData("reference: plain", "reference: sam", "s.yaml:18: reference 'sam' is not one of the recipes")]
    [InlineData("seeds: 3", "seeds: [1, 1]", "s.yaml:4: seeds must be a non-empty list of distinct integers")]
    [InlineData("  - name: hat", "  - name: plain", "s.yaml:10: recipe 'plain' is defined twice")]
    [InlineData("reference: plain", "reference: plain\noutput: [a]", "s.yaml:19: output must be a single value")]
    [InlineData("name: t", "name: t: u", "s.yaml:1: not valid YAML")]
    public void MistakesGiveOneLineWithFileLineAndKey(string find, string replace, string expected)
    {
        Assert.Contains(find, Valid);
        var e = Assert.Throws<FlipGuardException>(() => Parse(Valid.Replace(find, replace, StringComparison.Ordinal)));
        Assert.StartsWith(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    [Trait("Category", TestCategories.EndToEnd)]
    public void CliRejectsBadStudyFileWithExitCode2AndOneLine()
    {
        using var dir = new TempDirectory();
        string path = dir.File("bad.yaml");
        File.WriteAllText(path, Valid.Replace("epochs: 2", "epochs: -3", StringComparison.Ordinal));
        var r = CliProcess.Run("study", path, "-o", dir.File("out"));
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("flipguard: error: bad.yaml:9: recipe 'plain': epochs must be at least 1, got -3", r.Stderr.Trim());
        var missing = CliProcess.Run("study", dir.File("none.yaml"));
        Assert.Equal(2, missing.ExitCode);
        Assert.Single(missing.Stderr.Trim().Split('\n'));
        Assert.Equal(2, CliProcess.Run("study", "--preset", "nope").ExitCode);
        Assert.Equal(2, CliProcess.Run("study").ExitCode);
        var print = CliProcess.Run("study", "--preset", "mnist-quick", "--print");
        Assert.Equal(0, print.ExitCode);
        Assert.Equal(StudyPresets.Text("mnist-quick"), print.Stdout);
    }
}
