using FlipGuard.Checkpoints;
using FlipGuard.Core;
using FlipGuard.Models;
using FlipGuard.Training;
using static TorchSharp.torch;

namespace FlipGuard.Tests.Training;

/// <summary>
/// A resume state that was damaged or edited, or a resume with another recipe (issue 21): before, random bytes in
/// <c>optimizer.bin</c> crashed the process natively, zeroed ones trained a silently different model, and a changed
/// <c>--epochs</c> was accepted. Each must now be one sentence naming the file or the field.
/// </summary>
public class DamagedTrainingStateTests
{
    private static readonly ModelSpec Spec = new("mlp", 1, 8, 8, 4);
    private static readonly TrainingConfig Config = new() { Model = "mlp", Epochs = 3, BatchSize = 32, Optimizer = "adam", LearningRate = 0.01, Seed = 5 };

    private static TrainingData Blobs()
    {
        using var g = new Generator(7);
        var labels = randint(0, 4, new long[] { 200 }, generator: g);
        var images = randn(new long[] { 4, 1, 8, 8 }, generator: g).index_select(0, labels) * 2 + randn(new long[] { 200, 1, 8, 8 }, generator: g);
        return new TrainingData(images[..150], labels[..150], images[150..], labels[150..]);
    }

    /// <summary>Trains one epoch of three and stops, leaving the epoch-1 snapshot; returns the snapshot's folder.</summary>
    private static string Interrupted(TempDirectory dir, TrainingData data, out TrainingState state)
    {
        state = new TrainingState(dir.File("state"));
        using var cts = new CancellationTokenSource();
        var stop = new ProgressRelay<TrainingProgress>(p => { if (p.Completed?.Epoch == 1) cts.Cancel(); });
        var s = state;
        Assert.Throws<OperationCanceledException>(() => Trainer.Train(Spec, Config, data, s, stop, cts.Token));
        return Assert.Single(Directory.GetDirectories(dir.File("state"), "epoch-*"));
    }

    [Theory]
    [InlineData("epochs", "epochs: saved 3, now 4")]
    [InlineData("lr", "learningRate: saved 0.01, now 0.02")]
    public void AResumeWithAChangedRecipeNamesTheField(string field, string expected)
    {
        using var dir = new TempDirectory();
        var data = Blobs();
        Interrupted(dir, data, out var state);
        var changed = field == "epochs" ? Config with { Epochs = 4 } : Config with { LearningRate = 0.02 };
        var e = Assert.Throws<FlipGuardException>(() => Trainer.Train(Spec, changed, data, state));
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("random")]
    [InlineData("zeroed")]
    [InlineData("truncated")]
    [InlineData("empty")]
    [InlineData("missing")]
    public void ADamagedOptimiserStateIsRefused(string damage)
    {
        using var dir = new TempDirectory();
        var data = Blobs();
        string snapshot = Interrupted(dir, data, out var state);
        string path = Path.Combine(snapshot, "optimizer.bin");
        byte[] bytes = File.ReadAllBytes(path);
        switch (damage)
        {
            case "random": new Random(3).NextBytes(bytes); File.WriteAllBytes(path, bytes); break;
            case "zeroed": File.WriteAllBytes(path, new byte[bytes.Length]); break;
            case "truncated": File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]); break;
            case "empty": File.WriteAllBytes(path, []); break;
            default: File.Delete(path); break;
        }
        var e = Assert.Throws<FlipGuardException>(() => Trainer.Train(Spec, Config, data, state));
        Assert.Contains(damage == "missing" ? "file missing" : "does not match its SHA-256", e.Message);
    }

    [Theory]
    [InlineData("edited")]
    [InlineData("not json")]
    [InlineData("null")]
    [InlineData("missing")]
    public void ADamagedHistoryIsRefused(string damage)
    {
        using var dir = new TempDirectory();
        var data = Blobs();
        string snapshot = Interrupted(dir, data, out var state);
        string path = Path.Combine(snapshot, "history.json");
        string text = File.ReadAllText(path);
        switch (damage)
        {
            case "edited": File.WriteAllText(path, text.Replace("\"epoch\":1", "\"epoch\":2")); break;
            case "not json": File.WriteAllText(path, text[..(text.Length / 2)]); break;
            case "null": File.WriteAllText(path, "null"); break;
            default: File.Delete(path); break;
        }
        Assert.NotEqual(text, File.Exists(path) ? File.ReadAllText(path) : "");
        var e = Assert.Throws<FlipGuardException>(() => Trainer.Train(Spec, Config, data, state));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void AnUndamagedStateStillResumesToTheUninterruptedWeights()
    {
        using var dir = new TempDirectory();
        var data = Blobs();
        var (straight, _) = Trainer.Train(Spec, Config, data);
        Interrupted(dir, data, out var state);
        var (resumed, result) = Trainer.Train(Spec, Config, data, state);
        Assert.Equal(1, result.ResumedFromEpoch);
        foreach (var ((n, a), (_, b)) in straight.named_parameters().Zip(resumed.named_parameters()))
            Assert.True(a.equal(b).all().item<bool>(), n);
    }
}
