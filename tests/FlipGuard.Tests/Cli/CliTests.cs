using System.Text.Json;

namespace FlipGuard.Tests.Cli;

[Trait("Category", TestCategories.EndToEnd)]
public class CliTests
{
    private static void AssertUserError(CliProcess.Result r, string expected)
    {
        Assert.Equal(2, r.ExitCode);
        string[] lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains(expected, lines[0]);
        Assert.DoesNotContain("   at ", r.Stderr);
    }

    [Fact]
    public void ShortTrainingOnTheBuiltInDigitsBeatsChanceAndTheCheckpointEvaluates()
    {
        using var dir = new TempDirectory();
        string ckpt = dir.File("m.fgc");
        var train = CliProcess.Run("train", "-m", "mlp", "-d", "mnist", "--epochs", "1", "--train-limit", "2000", "-o", ckpt, "--json");
        Assert.True(train.ExitCode == 0, train.Stderr);
        using var doc = JsonDocument.Parse(train.Stdout);
        double acc = doc.RootElement.GetProperty("result").GetProperty("testAccuracy").GetDouble();
        Assert.InRange(acc, 0.6, 1.0); // chance is 0.1
        Assert.False(Directory.Exists(ckpt + ".state"));

        var eval = CliProcess.Run("eval", ckpt, "--json");
        Assert.True(eval.ExitCode == 0, eval.Stderr);
        using var e = JsonDocument.Parse(eval.Stdout);
        Assert.Equal(acc, e.RootElement.GetProperty("accuracy").GetDouble(), 10);
    }

    [Fact]
    public void FineTuningWithTheTracePenaltyStartsFromTheGivenCheckpointAndHessianReportsIt()
    {
        using var dir = new TempDirectory();
        string plain = dir.File("plain.fgc"), tuned = dir.File("tuned.fgc");
        Assert.Equal(0, CliProcess.Run("train", "-m", "mlp", "--epochs", "1", "--train-limit", "512", "-o", plain, "--json").ExitCode);
        var ft = CliProcess.Run("train", "-m", "mlp", "--epochs", "1", "--train-limit", "512", "--init", plain, "--reg", "trace",
            "--lambda", "0.001", "--hessian-layers", "last:1", "--lr", "0.01", "-o", tuned, "--json");
        Assert.True(ft.ExitCode == 0, ft.Stderr);
        using var doc = JsonDocument.Parse(ft.Stdout);
        var epoch = doc.RootElement.GetProperty("result").GetProperty("epochs")[0];
        Assert.True(epoch.GetProperty("regularizer").GetDouble() > 0);
        Assert.Equal(64, doc.RootElement.GetProperty("result").GetProperty("config").GetProperty("initWeightsSha256").GetString()!.Length);

        var h = CliProcess.Run("hessian", tuned, "--samples", "200", "--probes", "20", "--top-k", "2", "--json");
        Assert.True(h.ExitCode == 0, h.Stderr);
        using var hd = JsonDocument.Parse(h.Stdout);
        var report = hd.RootElement.GetProperty("report");
        Assert.Equal(3, report.GetProperty("trace").GetProperty("layers").GetArrayLength());
        Assert.Equal(2, report.GetProperty("topEigenvalues").GetProperty("values").GetArrayLength());

        AssertUserError(CliProcess.Run("train", "-m", "lenet5", "--init", plain, "-o", dir.File("x.fgc")), "mlp");
    }

    [Fact]
    public void TamperedCheckpointGetsOneLineAndExitCode2()
    {
        using var dir = new TempDirectory();
        string ckpt = dir.File("t.fgc");
        Assert.Equal(0, CliProcess.Run("train", "-m", "mlp", "--epochs", "1", "--train-limit", "256", "-o", ckpt, "--json").ExitCode);
        byte[] b = File.ReadAllBytes(ckpt);
        b[^1] ^= 1;
        File.WriteAllBytes(ckpt, b);
        AssertUserError(CliProcess.Run("eval", ckpt), "SHA-256");
    }

    [Theory]
    [InlineData("missing", "eval", "/nonexistent/x.fgc")]
    [InlineData("bad model", "train", "--model", "resnet999")]
    [InlineData("bad epochs", "train", "--epochs", "0")]
    [InlineData("unknown flag", "train", "--bogus")]
    [InlineData("bad choice", "train", "--optimizer", "lbfgs")]
    [InlineData("bad number", "train", "--lr", "fast")]
    [InlineData("unknown dataset", "train", "--dataset", "imagenet")]
    public void BadInputGetsOneLineAndExitCode2(string because, params string[] args)
    {
        var r = CliProcess.Run(args);
        Assert.True(r.ExitCode == 2, $"{because}: exit {r.ExitCode}, stderr {r.Stderr}");
        Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("   at ", r.Stderr);
    }

    [Fact]
    public void HelpAndModelsWork()
    {
        var help = CliProcess.Run("train", "--help");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("--reg", help.Stdout);
        var models = CliProcess.Run("models", "--json");
        Assert.Equal(0, models.ExitCode);
        Assert.Contains("266610", models.Stdout);
    }
}
