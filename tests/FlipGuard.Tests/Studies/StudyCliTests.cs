using System.Text.Json;
using FlipGuard.Tests.Cli;

namespace FlipGuard.Tests.Studies;

[Trait("Category", TestCategories.EndToEnd)]
public class StudyCliTests
{
    [Fact]
    public void StudyThenReportThenCompare()
    {
        using var dir = new TempDirectory();
        string file = dir.File("tiny.yaml"), outDir = dir.File("study");
        File.WriteAllText(file, StudyRunnerTests.Tiny.Replace("probes: 4\n    top-k: 1", "probes: 4\n    top-k: 0", StringComparison.Ordinal));
        var r = CliProcess.Run("study", file, "-o", outDir, "--threads", "1");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("Report: ", r.Stdout);
        Assert.Contains("report.html", r.Stdout);
        Assert.Contains("fine-tuned HAT", r.Stdout);
        foreach (string f in new[] { "results.db", "report.md", "report.html" }) Assert.True(File.Exists(Path.Combine(outDir, f)), f);

        string other = dir.File("rendered");
        var report = CliProcess.Run("report", Path.Combine(outDir, "results.db"), "-o", other, "--json");
        Assert.True(report.ExitCode == 0, report.Stderr);
        using (var doc = JsonDocument.Parse(report.Stdout))
        {
            Assert.Equal("tiny", doc.RootElement.GetProperty("study").GetString());
            Assert.Equal(3, doc.RootElement.GetProperty("tables")[0].GetProperty("rows").GetArrayLength());
        }
        Assert.Equal(File.ReadAllText(Path.Combine(outDir, "report.md")).Split('\n').Skip(3).First(l => l.StartsWith("| plain", StringComparison.Ordinal)),
                     File.ReadAllText(Path.Combine(other, "report.md")).Split('\n').Skip(3).First(l => l.StartsWith("| plain", StringComparison.Ordinal)));
        Assert.Equal(2, CliProcess.Run("report", dir.File("nothing.db")).ExitCode);

        var checkpoints = Directory.GetFiles(Path.Combine(outDir, "checkpoints"), "*.fgc").Order().ToArray();
        Assert.Equal(3, checkpoints.Length);
        var c = CliProcess.Run("compare", checkpoints[0], checkpoints[1], "--bits", "exponent-msb", "--params", "sample:100", "--limit", "200", "--probes", "3",
            "-o", dir.File("cmp"), "--threads", "1", "--json");
        Assert.True(c.ExitCode == 0, c.Stderr);
        using (var doc = JsonDocument.Parse(c.Stdout))
        {
            var rows = doc.RootElement.GetProperty("tables")[0].GetProperty("rows");
            Assert.Equal(2, rows.GetArrayLength());
            Assert.Contains(rows[1].GetProperty("metrics").EnumerateArray(), m => m.GetProperty("name").GetString() == "sweep.rad90");
        }
        Assert.True(new FileInfo(Path.Combine(dir.File("cmp"), "report.html")).Length > 10_000);
    }
}
