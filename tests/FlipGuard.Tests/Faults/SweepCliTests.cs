using System.Text.Json;
using FlipGuard.Tests.Cli;

namespace FlipGuard.Tests.Faults;

[Trait("Category", TestCategories.EndToEnd)]
public class SweepCliTests
{
    [Fact]
    public void SweepWritesSummaryAndChartsResumesAndShardsMerge()
    {
        using var dir = new TempDirectory();
        string ckpt = dir.File("m.fgc");
        Assert.Equal(0, CliProcess.Run("train", "-m", "mlp", "--epochs", "1", "--train-limit", "1000", "-o", ckpt, "--json").ExitCode);
        string[] common = ["--params", "sample:50", "--bits", "exponent-msb", "--limit", "200", "--naive", "--block-size", "16"];
        string outDir = dir.File("sweep");
        var r = CliProcess.Run(["sweep", ckpt, .. common, "--records", "-o", outDir, "--json"]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        var summary = doc.RootElement.GetProperty("summary");
        Assert.Equal(50, summary.GetProperty("flipsEvaluated").GetInt64());
        Assert.Equal(200, summary.GetProperty("samples").GetInt32());
        Assert.True(summary.GetProperty("estimates").GetProperty("populationEntries").GetInt64() > 200_000);
        foreach (string f in new[] { "summary.json", "rad-histogram.png", "bits.png", "layers.png", "records.csv" })
            Assert.True(new FileInfo(Path.Combine(outDir, f)).Length > 100, f);
        Assert.Equal(51, File.ReadAllLines(Path.Combine(outDir, "records.csv")).Length);
        string single = File.ReadAllText(Path.Combine(outDir, "summary.json"));

        // Rerunning needs --resume; resuming a finished sweep evaluates nothing and gives the same summary.
        Assert.Equal(2, CliProcess.Run(["sweep", ckpt, .. common, "-o", outDir]).ExitCode);
        Assert.Equal(0, CliProcess.Run(["sweep", ckpt, .. common, "-o", outDir, "--resume", "--json"]).ExitCode);
        Assert.Equal(single, File.ReadAllText(Path.Combine(outDir, "summary.json")));

        var shards = new List<string>();
        for (int k = 0; k < 2; k++)
        {
            string d = dir.File($"shard{k}");
            Assert.Equal(0, CliProcess.Run(["sweep", ckpt, .. common, "--shard", $"{k}/2", "-o", d, "--json"]).ExitCode);
            shards.Add(d);
        }
        string merged = dir.File("merged");
        var m = CliProcess.Run(["merge", .. shards, "-o", merged, "--json"]);
        Assert.True(m.ExitCode == 0, m.Stderr);
        static JsonElement Strip(string json, out JsonDocument d) { d = JsonDocument.Parse(json); return d.RootElement; }
        var a = Strip(single, out var da);
        var b = Strip(File.ReadAllText(Path.Combine(merged, "summary.json")), out var db);
        using (da) using (db)
        {
            foreach (string key in new[] { "overall", "perBit", "perLayer", "perDirection", "estimates", "definitionSha256", "cleanCorrect" })
                Assert.Equal(a.GetProperty(key).GetRawText(), b.GetProperty(key).GetRawText());
        }
    }

    [Theory]
    [InlineData("--bits", "exponent-lsb")]
    [InlineData("--bits", "40")]
    [InlineData("--params", "sample:0")]
    [InlineData("--shard", "3/3")]
    public void BadSweepOptionsGetOneLineAndExitCode2(string flag, string value)
    {
        using var dir = new TempDirectory();
        string ckpt = dir.File("m.fgc");
        var r = CliProcess.Run("sweep", ckpt, flag, value, "-o", dir.File("o"));
        Assert.Equal(2, r.ExitCode);
        string[] lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains(flag, lines[0]);
    }

    [Fact]
    public void Int8ModeRejectsExponentBits()
    {
        var r = CliProcess.Run("sweep", "/nonexistent.fgc", "--int8", "--bits", "exponent");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("int8", r.Stderr);
    }
}
