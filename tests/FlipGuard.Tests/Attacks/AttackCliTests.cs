using System.Text.Json;
using FlipGuard.Tests.Cli;

namespace FlipGuard.Tests.Attacks;

[Trait("Category", TestCategories.EndToEnd)]
public class AttackCliTests
{
    [Fact]
    public void AttackAndInjectWriteTheirFilesAndResume()
    {
        using var dir = new TempDirectory();
        string ckpt = dir.File("m.fgc");
        Assert.Equal(0, CliProcess.Run("train", "-m", "mlp", "--epochs", "1", "--train-limit", "1000", "-o", ckpt, "--json").ExitCode);

        string[] attack = ["attack", ckpt, "--seeds", "2", "--max-flips", "4", "--limit", "200", "--batch", "64"];
        string a = dir.File("attack");
        var r = CliProcess.Run([.. attack, "-o", a, "--json"]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        using (var doc = JsonDocument.Parse(r.Stdout))
        {
            var m = doc.RootElement.GetProperty("models")[0];
            Assert.Equal(2, m.GetProperty("seeds").GetInt32());
            Assert.Equal(0.11, m.GetProperty("targetAccuracy").GetDouble(), 9);
        }
        foreach (string f in new[] { "summary.json", "trajectory.csv", "accuracy-vs-flips.png" })
            Assert.True(new FileInfo(Path.Combine(a, f)).Length > 100, f);
        Assert.Equal(9, File.ReadAllLines(Path.Combine(a, "trajectory.csv")).Length);
        string trajectory = File.ReadAllText(Path.Combine(a, "trajectory.csv"));
        Assert.Equal(2, CliProcess.Run([.. attack, "-o", a]).ExitCode);
        Assert.Equal(0, CliProcess.Run([.. attack, "-o", a, "--resume", "--json"]).ExitCode);
        Assert.Equal(trajectory, File.ReadAllText(Path.Combine(a, "trajectory.csv")));

        string[] inject = ["inject", ckpt, "--ber", "1e-6,1e-4", "--trials", "4", "--limit", "200", "--int8"];
        string i = dir.File("inject");
        r = CliProcess.Run([.. inject, "-o", i, "--json"]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        foreach (string f in new[] { "summary.json", "trials.csv", "accuracy-vs-ber.png" })
            Assert.True(new FileInfo(Path.Combine(i, f)).Length > 100, f);
        Assert.Equal(9, File.ReadAllLines(Path.Combine(i, "trials.csv")).Length);
        string trials = File.ReadAllText(Path.Combine(i, "trials.csv"));
        Assert.Equal(0, CliProcess.Run([.. inject, "-o", i, "--resume", "--json"]).ExitCode);
        Assert.Equal(trials, File.ReadAllText(Path.Combine(i, "trials.csv")));
    }

    [Theory]
    [InlineData("inject", "--ber", "2")]
    [InlineData("inject", "--ber", "1e-3,x")]
    [InlineData("inject", "--flips", "1.5")]
    [InlineData("attack", "--top-k", "0")]
    [InlineData("attack", "--bits", "exponent")]
    [InlineData("attack", "--seeds", "0")]
    [InlineData("attack", "--batch", "0")]
    public void BadOptionsGetOneLineAndExitCode2(string command, string flag, string value)
    {
        using var dir = new TempDirectory();
        var r = CliProcess.Run(command, "/nonexistent.fgc", flag, value, "-o", dir.File("o"));
        Assert.Equal(2, r.ExitCode);
        string[] lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains(flag, lines[0]);
    }
}
