using System.Text.Json;
using FlipGuard.Tests.Cli;

namespace FlipGuard.Tests.Defenses;

[Trait("Category", TestCategories.EndToEnd)]
public class DefendCliTests
{
    [Fact]
    public void DefendRunsTheSweepThroughEachDefenseAndTheCurveReadsASweep()
    {
        using var dir = new TempDirectory();
        string ckpt = dir.File("m.fgc");
        Assert.Equal(0, CliProcess.Run("train", "-m", "mlp", "--epochs", "1", "--train-limit", "1000", "-o", ckpt, "--json").ExitCode);
        string[] common = ["--params", "sample:40", "--bits", "30", "--limit", "200", "--json"];
        foreach (string defense in new[] { "radar", "guard", "ecc", "hessian-ecc" })
        {
            string outDir = dir.File(defense);
            var r = CliProcess.Run(["defend", ckpt, "--defense", defense, "--probes", "2", "--hessian-samples", "200", .. common, "-o", outDir]);
            Assert.True(r.ExitCode == 0, r.Stderr);
            using var doc = JsonDocument.Parse(r.Stdout);
            var report = doc.RootElement.GetProperty("report");
            var summary = doc.RootElement.GetProperty("summary");
            Assert.Equal(report.GetProperty("defense").GetString(), summary.GetProperty("definition").GetProperty("defense").GetString());
            Assert.Equal(40, report.GetProperty("screening").GetProperty("flips").GetInt64());
            Assert.Equal(40, summary.GetProperty("flipsEvaluated").GetInt64());
            Assert.True(File.Exists(Path.Combine(outDir, "defense.json")));
            if (defense == "ecc") Assert.Equal(0, summary.GetProperty("overall").GetProperty("radAbove10").GetInt64());
            if (defense == "radar") Assert.Equal(40, report.GetProperty("screening").GetProperty("detected").GetInt64());
        }

        string sweep = dir.File("sweep");
        Assert.Equal(0, CliProcess.Run("sweep", ckpt, "--params", "layer:fc3", "--bits", "30", "--limit", "200", "-o", sweep, "--json").ExitCode);
        var c = CliProcess.Run("protection-curve", ckpt, "--sweep", sweep, "--probes", "2", "--hessian-samples", "200", "--fractions", "0,0.5,1", "--json");
        Assert.True(c.ExitCode == 0, c.Stderr);
        using var curve = JsonDocument.Parse(c.Stdout);
        var curves = curve.RootElement.GetProperty("curves");
        Assert.Equal(["hessian", "magnitude", "random", "oracle"], curves.EnumerateArray().Select(e => e.GetProperty("ranking").GetString()));
        Assert.All(curves.EnumerateArray(), e => Assert.Equal(0, e.GetProperty("points")[2].GetProperty("residualAbove10").GetInt64()));
    }

    [Fact]
    public void BadDefendOptionsGetOneLineAndExitCode2()
    {
        using var dir = new TempDirectory();
        string ckpt = dir.File("m.fgc");
        Assert.Equal(0, CliProcess.Run("train", "-m", "mlp", "--epochs", "1", "--train-limit", "300", "-o", ckpt, "--json").ExitCode);
        string[][] cases =
        [
            ["defend", ckpt, "--defense", "prayer"],
            ["defend", ckpt, "--defense", "ecc", "--protect", "2", "--limit", "50"],
            ["defend", ckpt, "--defense", "radar", "--group-size", "0", "--limit", "50"],
            ["defend", dir.File("missing.fgc"), "--defense", "guard"],
        ];
        foreach (var args in cases)
        {
            var r = CliProcess.Run(args);
            Assert.Equal(2, r.ExitCode);
            Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
    }
}
