using System.Diagnostics;
using FlipGuard.Attacks;
using FlipGuard.Data;
using FlipGuard.Faults.Encodings;
using FlipGuard.Faults.Targets;
using FlipGuard.Models;
using FlipGuard.Training;
using Xunit.Abstractions;

namespace FlipGuard.Tests.Attacks;

public class AttackOnLeNet5Tests(ITestOutputHelper output)
{
    [Trait("Category", TestCategories.Slow)]
    [Fact]
    public void BfaDrivesAnInt8LeNet5ToChanceWithinAFewDozenFlips()
    {
        var clock = Stopwatch.StartNew();
        using var data = LoadedDataset.Load("mnist-10k", null, testLimit: 1000);
        var spec = new ModelSpec("lenet5", 1, 28, 28, 10);
        var config = new TrainingConfig { Model = "lenet5", Epochs = 3, TrainLimit = 4000, Optimizer = "adam", LearningRate = 0.002, Seed = 1 };
        var (model, trained) = Trainer.Train(spec, config, TrainingData.From(data));
        output.WriteLine($"trained to {trained.TestAccuracy:P2} in {clock.Elapsed.TotalSeconds:F1}s");
        using (model)
        {
            // float32 first (the int8 target quantises the model in place): exponent flips need only a handful.
            var f32 = ProgressiveBitSearch.Run(FlipTarget.Create(model), data.Train.Images, data.Train.Labels, data.Test.Images, data.Test.Labels,
                new AttackOptions(BitSelection.Parse("exponent")) { MaxFlips = 10, Seeds = [0] });
            output.WriteLine($"float32: {f32.Trajectories[0].Steps.Count} flips, stop {f32.Trajectories[0].Stop}: " +
                string.Join("; ", f32.Trajectories[0].Steps.Select(s => $"{s.TensorName}[{s.Index}] bit {s.Bit} -> {s.Accuracy:P0}")));
            Assert.InRange(f32.Trajectories[0].FlipsToTarget ?? 99, 1, 5);

            var target = FlipTarget.Create(model, WeightEncodings.Int8);
            var options = new AttackOptions(BitSelection.Parse("all", WeightEncodings.Int8)) { MaxFlips = 80, Seeds = [0] };
            var result = ProgressiveBitSearch.Run(target, data.Train.Images, data.Train.Labels, data.Test.Images, data.Test.Labels, options);
            var t = result.Trajectories[0];
            output.WriteLine($"clean {result.CleanAccuracy:P2}; {t.Steps.Count} flips, stop {t.Stop}, accuracy {string.Join(" ", t.Steps.Select(s => $"{s.Accuracy:P0}"))}; {clock.Elapsed.TotalSeconds:F1}s");
            Assert.True(result.CleanAccuracy > 0.9, $"clean int8 accuracy {result.CleanAccuracy}");
            Assert.Equal(AttackStop.TargetReached, t.Stop);
            Assert.InRange(t.FlipsToTarget!.Value, 1, 60);
            Assert.True(t.Steps[^1].Accuracy <= 0.11);
            // Losses rise along the trajectory and no bit is flipped twice.
            Assert.True(t.Steps[^1].Loss > t.CleanLoss);
            Assert.Equal(t.Steps.Count, t.Steps.Select(s => (s.Tensor, s.Index, s.Bit)).Distinct().Count());
            // The model is left clean.
            Assert.Equal((long)Math.Round(result.CleanAccuracy * 1000), Evaluator.CountCorrect(model, data.Test.Images, data.Test.Labels));
        }
    }
}
