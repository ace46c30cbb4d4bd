using System.Text.Json;
using FlipGuard.Tests.Cli;

namespace FlipGuard.Tests.Defenses;

[Trait("Category", TestCategories.EndToEnd)]
public class DefendAttackCliTests
{
    [Fact]
    public void DefendRunsTheAttackAndTheInjectionThroughADefense()
    {
        using var dir = new TempDirectory();
        string ckpt = dir.File("m.fgc");
        Assert.Equal(0, CliProcess.Run("train", "-m", "mlp", "--epochs", "1", "--train-limit", "1000", "-o", ckpt, "--json").ExitCode);

        string attackDir = dir.File("attack");
        string[] attack = ["defend", ckpt, "--defense", "radar", "--int8", "--run", "attack", "--seeds", "2", "--max-flips", "4", "--top-k", "2",
            "--limit", "200", "--threads", "1", "-o", attackDir, "--json"];
        var a = CliProcess.Run(attack);
        Assert.True(a.ExitCode == 0, a.Stderr);
        using (var doc = JsonDocument.Parse(a.Stdout))
        {
            var model = doc.RootElement.GetProperty("models")[0];
            var defense = model.GetProperty("defense");
            Assert.StartsWith("radar(", defense.GetProperty("name").GetString());
            Assert.True(defense.GetProperty("targetOnRepairedAccuracy").GetBoolean());
            var trajectories = model.GetProperty("trajectories");
            Assert.Equal(2, trajectories.GetArrayLength());
            foreach (var t in trajectories.EnumerateArray())
                foreach (var s in t.GetProperty("steps").EnumerateArray())
                {
                    Assert.Contains(s.GetProperty("detected").ValueKind, new[] { JsonValueKind.True, JsonValueKind.False });
                    Assert.True(s.GetProperty("repairedCorrect").GetInt64() >= 0);
                }
        }
        foreach (string file in new[] { "summary.json", "trajectory.csv", "accuracy-vs-flips.png", "defense.json" })
            Assert.True(File.Exists(Path.Combine(attackDir, file)), file);
        string csv = File.ReadAllText(Path.Combine(attackDir, "trajectory.csv"));
        // Resuming a finished run replays the journal and gives the same trajectories.
        var again = CliProcess.Run([.. attack, "--resume"]);
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Equal(csv, File.ReadAllText(Path.Combine(attackDir, "trajectory.csv")));
        using (var doc = JsonDocument.Parse(again.Stdout)) Assert.Equal(2, doc.RootElement.GetProperty("models")[0].GetProperty("resumedSeeds").GetInt32());

        string injectDir = dir.File("inject");
        var i = CliProcess.Run("defend", ckpt, "--defense", "ecc", "--int8", "--run", "inject", "--flips", "1", "--trials", "5", "--limit", "200",
            "--threads", "1", "-o", injectDir, "--json");
        Assert.True(i.ExitCode == 0, i.Stderr);
        using (var doc = JsonDocument.Parse(i.Stdout))
        {
            var model = doc.RootElement.GetProperty("models")[0];
            var level = model.GetProperty("levels")[0];
            Assert.Equal(1.0, level.GetProperty("detectionRate").GetDouble());
            Assert.Equal(model.GetProperty("cleanAccuracy").GetDouble(), level.GetProperty("repairedAccuracy").GetProperty("mean").GetDouble(), 12);
        }
        Assert.True(File.Exists(Path.Combine(injectDir, "trials.csv")));
    }

    [Fact]
    public void OptionsOfAnotherRunGetOneLineAndExitCode2()
    {
        using var dir = new TempDirectory();
        string ckpt = dir.File("m.fgc");
        Assert.Equal(0, CliProcess.Run("train", "-m", "mlp", "--epochs", "1", "--train-limit", "300", "-o", ckpt, "--json").ExitCode);
        string[][] cases =
        [
            ["defend", ckpt, "--defense", "radar", "--top-k", "3", "--limit", "50"],
            ["defend", ckpt, "--defense", "radar", "--run", "attack", "--params", "sample:5", "--limit", "50"],
            ["defend", ckpt, "--defense", "radar", "--run", "inject", "--max-flips", "3", "--limit", "50"],
            ["defend", ckpt, "--defense", "radar", "--run", "attack", "--trials", "3", "--limit", "50"],
            ["defend", ckpt, "--defense", "radar", "--run", "inject", "--ber", "1e-3", "--flips", "2", "--limit", "50"],
            ["defend", ckpt, "--defense", "radar", "--run", "attack", "--int8", "--bits", "9", "--limit", "50"],
            ["defend", ckpt, "--defense", "radar", "--run", "fly"],
        ];
        foreach (var args in cases)
        {
            var r = CliProcess.Run(args);
            Assert.True(r.ExitCode == 2, string.Join(' ', args) + ": " + r.Stderr);
            Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
    }
}
