using System.Text.Json;
using FlipGuard.Tests.Interop;

namespace FlipGuard.Tests.Cli;

/// <summary>The import, export and models describe commands, end to end through the real CLI.</summary>
[Trait("Category", TestCategories.EndToEnd)]
public class InteropCliTests
{
    [Fact]
    public void ImportedPyTorchModelBecomesACheckpointThatTrainInitAndExportAccept()
    {
        using var dir = new TempDirectory();
        string ckpt = dir.File("cnn.fgc");
        var import = CliProcess.Run("import", PyTorchFixture.File("tiny-cnn.pt"), "--arch-file", PyTorchFixture.File("tiny-cnn.json"),
            "--limit", "200", "-o", ckpt, "--json");
        Assert.True(import.ExitCode == 0, import.Stderr);
        using (var doc = JsonDocument.Parse(import.Stdout))
        {
            Assert.Equal(17, doc.RootElement.GetProperty("import").GetProperty("tensors").GetInt32());
            Assert.Equal("tiny-cnn", doc.RootElement.GetProperty("import").GetProperty("model").GetProperty("architecture").GetString());
        }

        string tuned = dir.File("tuned.fgc");
        var train = CliProcess.Run("train", "--init", ckpt, "--reg", "trace", "--epochs", "1", "--train-limit", "256", "--lr", "0.01", "-o", tuned, "--json");
        Assert.True(train.ExitCode == 0, train.Stderr);
        using (var doc = JsonDocument.Parse(train.Stdout))
            Assert.Equal("tiny-cnn", doc.RootElement.GetProperty("result").GetProperty("config").GetProperty("model").GetString());

        string onnx = dir.File("tuned.onnx");
        var export = CliProcess.Run("export", tuned, "-o", onnx, "--json");
        Assert.True(export.ExitCode == 0, export.Stderr);
        // The ONNX file names its architecture, so it imports back without --arch-file.
        var back = CliProcess.Run("import", onnx, "--limit", "200", "-o", dir.File("back.fgc"), "--json");
        Assert.True(back.ExitCode == 0, back.Stderr);
        var evalTuned = CliProcess.Run("eval", tuned, "--limit", "200", "--json");
        var evalBack = CliProcess.Run("eval", dir.File("back.fgc"), "--limit", "200", "--json");
        using var a = JsonDocument.Parse(evalTuned.Stdout);
        using var b = JsonDocument.Parse(evalBack.Stdout);
        Assert.Equal(a.RootElement.GetProperty("accuracy").GetDouble(), b.RootElement.GetProperty("accuracy").GetDouble());
    }

    [Fact]
    public void MismatchedWeightsAreOneLineWithExitCode2()
    {
        var r = CliProcess.Run("import", PyTorchFixture.File("tiny-mlp.pt"), "--arch", "mlp", "-o", Path.Combine(Path.GetTempPath(), "never.fgc"));
        Assert.Equal(2, r.ExitCode);
        string line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("does not match architecture mlp", line);
        Assert.Contains("fc1.weight: file float32[16,784], model float32[300,784]", line);
        Assert.Contains("fc3.weight [10,100]", line);
        Assert.False(File.Exists(Path.Combine(Path.GetTempPath(), "never.fgc")));
    }

    [Fact]
    public void DescribeValidatesAndPrintsTheSchema()
    {
        var r = CliProcess.Run("models", "describe", "lenet5", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.Equal("conv1", doc.RootElement.GetProperty("layers")[0].GetProperty("name").GetString());
        var table = CliProcess.Run("models", "describe", PyTorchFixture.File("tiny-cnn.json"));
        Assert.True(table.ExitCode == 0, table.Stderr);
        Assert.Contains("[8,4,4]", table.Stdout);
        var bad = CliProcess.Run("models", "describe", PyTorchFixture.File("tiny-cnn.json"), "--input", "1x4x4");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("too small", bad.Stderr);
    }

    [Fact]
    public void TrainTakesAnArchitectureFileAndTheCheckpointRebuildsIt()
    {
        using var dir = new TempDirectory();
        string ckpt = dir.File("mlp.fgc");
        var train = CliProcess.Run("train", "--model", PyTorchFixture.File("tiny-mlp.json"), "--epochs", "1", "--train-limit", "512", "-o", ckpt, "--json");
        Assert.True(train.ExitCode == 0, train.Stderr);
        using var doc = JsonDocument.Parse(train.Stdout);
        Assert.InRange(doc.RootElement.GetProperty("result").GetProperty("testAccuracy").GetDouble(), 0.3, 1.0); // chance is 0.1
        var meta = FlipGuard.Checkpoints.CheckpointFile.ReadMetadata(ckpt);
        Assert.Equal("tiny-mlp", meta.Model.Architecture);
        Assert.Equal(4, meta.Model.Description!.Layers.Count);
    }
}
