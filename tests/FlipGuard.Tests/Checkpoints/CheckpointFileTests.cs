using FlipGuard.Checkpoints;
using FlipGuard.Core;
using FlipGuard.Models;
using static TorchSharp.torch;

namespace FlipGuard.Tests.Checkpoints;

public class CheckpointFileTests
{
    private static readonly ModelSpec Spec = new("vgg-small", 1, 28, 28, 10);

    private static (nn.Module<Tensor, Tensor> Model, CheckpointMetadata Meta) SaveOne(string path)
    {
        var model = Spec.Create(seed: 3);
        // Touch batch-norm running statistics so buffers are not at their defaults.
        model.train();
        using (no_grad()) model.forward(randn(8, 1, 28, 28));
        var meta = CheckpointFile.Save(path, model, new CheckpointMetadata { Model = Spec, Dataset = "mnist", CleanAccuracy = 0.5 });
        return (model, meta);
    }

    [Fact]
    public void RoundTripGivesIdenticalLogits()
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        var (model, meta) = SaveOne(dir.File("a.fgc"));
        var (loaded, model2) = CheckpointFile.Load(dir.File("a.fgc"));
        model.eval(); model2.eval();
        var x = randn(16, 1, 28, 28);
        using (no_grad())
            Assert.True(model.forward(x).equal(model2.forward(x)).all().item<bool>());
        Assert.Equal(meta.WeightsSha256, loaded.WeightsSha256);
        Assert.Equal(Spec, loaded.Model);
        Assert.Equal(0.5, loaded.CleanAccuracy);
        Assert.Equal(64, loaded.WeightsSha256.Length);
        Assert.Equal([dir.File("a.fgc")], Directory.GetFiles(dir.Path)); // no temporary file of any name left behind
    }

    [Fact]
    public void TamperedWeightIsRefused()
    {
        using var dir = new TempDirectory();
        string path = dir.File("t.fgc");
        SaveOne(path);
        byte[] bytes = File.ReadAllBytes(path);
        bytes[^5] ^= 0x40; // one bit of one weight
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<FlipGuardException>(() => CheckpointFile.Load(path));
        Assert.Contains("SHA-256", e.Message);
    }

    [Fact]
    public void TruncatedForeignAndMissingFilesAreRefused()
    {
        using var dir = new TempDirectory();
        string path = dir.File("t.fgc");
        SaveOne(path);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(dir.File("short.fgc"), bytes[..^100]);
        Assert.Contains("truncated", Assert.Throws<FlipGuardException>(() => CheckpointFile.Load(dir.File("short.fgc"))).Message);
        File.WriteAllText(dir.File("foreign.fgc"), "PK\u0003\u0004 not a checkpoint at all");
        Assert.Contains("magic", Assert.Throws<FlipGuardException>(() => CheckpointFile.Load(dir.File("foreign.fgc"))).Message);
        Assert.Contains("not found", Assert.Throws<FlipGuardException>(() => CheckpointFile.Load(dir.File("none.fgc"))).Message);
    }

    [Fact]
    public void MismatchedArchitectureIsRefusedWithTheTensorNamed()
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.fgc");
        var model = new ModelSpec("mlp", 1, 28, 28, 10).Create();
        // Claim the weights belong to a 5-class mlp: the last layer's shape no longer fits.
        CheckpointFile.Save(path, model, new CheckpointMetadata { Model = new ModelSpec("mlp", 1, 28, 28, 5) });
        var e = Assert.Throws<FlipGuardException>(() => CheckpointFile.Load(path));
        Assert.Contains("fc3.weight", e.Message);
    }
}
