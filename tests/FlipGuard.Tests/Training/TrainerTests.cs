using FlipGuard.Checkpoints;
using FlipGuard.Core;
using FlipGuard.Models;
using FlipGuard.Training;
using static TorchSharp.torch;

namespace FlipGuard.Tests.Training;

public class TrainerTests
{
    /// <summary>Four Gaussian blobs in 1×8×8 images: learnable in a few steps.</summary>
    private static TrainingData Blobs(int n, long seed)
    {
        using var g = new Generator((ulong)seed);
        var labels = randint(0, 4, new long[] { n }, generator: g);
        var centres = randn(new long[] { 4, 1, 8, 8 }, generator: g) * 2;
        var images = centres.index_select(0, labels) + randn(new long[] { n, 1, 8, 8 }, generator: g);
        return new TrainingData(images[..(n * 3 / 4)], labels[..(n * 3 / 4)], images[(n * 3 / 4)..], labels[(n * 3 / 4)..]);
    }

    private static readonly ModelSpec Spec = new("mlp", 1, 8, 8, 4);
    private static readonly TrainingConfig Config = new() { Model = "mlp", Epochs = 3, BatchSize = 32, LearningRate = 0.05, Seed = 11 };

    [Fact]
    public void SameSeedGivesSameWeightsAndLearnsBeyondChance()
    {
        var data = Blobs(800, 1);
        var (a, ra) = Trainer.Train(Spec, Config, data);
        var (b, rb) = Trainer.Train(Spec, Config, data);
        Assert.True(ra.TestAccuracy > 0.8, $"accuracy {ra.TestAccuracy}");
        Assert.Equal(ra.Epochs.Select(e => e.TrainLoss), rb.Epochs.Select(e => e.TrainLoss));
        foreach (var ((n, pa), (_, pb)) in a.named_parameters().Zip(b.named_parameters()))
            Assert.True(pa.equal(pb).all().item<bool>(), n);
    }

    [Fact]
    public void KilledRunResumedEqualsUninterruptedRun()
    {
        using var dir = new TempDirectory();
        var data = Blobs(600, 2);
        var config = Config with { Optimizer = "adam", LearningRate = 0.01 };
        var (straight, _) = Trainer.Train(Spec, config, data);
        var state = new TrainingState(dir.File("state"));
        using var cts = new CancellationTokenSource();
        var stopAfterFirstEpoch = new ProgressRelay<TrainingProgress>(p => { if (p.Completed?.Epoch == 1) cts.Cancel(); });
        Assert.Throws<OperationCanceledException>(() => Trainer.Train(Spec, config, data, state, stopAfterFirstEpoch, cts.Token));
        var (resumed, result) = Trainer.Train(Spec, config, data, state);
        Assert.Equal(1, result.ResumedFromEpoch);
        Assert.Equal(3, result.Epochs.Count);
        foreach (var ((n, pa), (_, pb)) in straight.named_parameters().Zip(resumed.named_parameters()))
            Assert.True(pa.equal(pb).all().item<bool>(), n);
    }

    [Fact]
    public void ResumeWithAnotherRecipeIsRefused()
    {
        using var dir = new TempDirectory();
        var data = Blobs(200, 3);
        var state = new TrainingState(dir.File("state"));
        Trainer.Train(Spec, Config with { Epochs = 1 }, data, state);
        Assert.Throws<FlipGuardException>(() => Trainer.Train(Spec, Config with { LearningRate = 0.5 }, data, state));
    }

    [Fact]
    public void BadConfigIsAUserError()
    {
        Assert.Throws<FlipGuardException>(() => (Config with { Epochs = 0 }).Validate());
        Assert.Throws<FlipGuardException>(() => (Config with { Optimizer = "lbfgs" }).Validate());
    }
}
