using FlipGuard.Faults.Encodings;
using FlipGuard.Sweeps;
using FlipGuard.Data;
using FlipGuard.Faults.Evaluation;
using FlipGuard.Faults.Evaluation.CertifiedSkip;
using FlipGuard.Faults.Targets;
using FlipGuard.Models;
using FlipGuard.Training;

namespace FlipGuard.Tests.Faults;

[Trait("Category", TestCategories.Slow)]
public class CertifiedSkipEvaluatorTests
{
    [Theory]
    [InlineData("lenet5", 120, 70, false, "conv1")]
    [InlineData("vgg-small", 64, 63, false, "features.conv1_1")]
    [InlineData("lenet5", 300, 300, true, "")]
    public void ConvolutionalModelsMatchTheNaiveOracleFlipForFlip(string architecture, int samples, int entries, bool int8, string msbLayer)
    {
        using var data = LoadedDataset.Load("mnist", null, testLimit: samples);
        var spec = new ModelSpec(architecture, 1, 28, 28, 10);
        var (model, _) = Trainer.Train(spec, new TrainingConfig { Model = architecture, Epochs = 1, TrainLimit = 1500, Seed = 3 }, TrainingData.From(data));
        using (model)
        {
            var target = FlipTarget.Create(model, WeightEncodings.FromInt8Flag(int8));
            var sites = FlipSites.Create(target, BitSelection.Parse("all", WeightEncodings.FromInt8Flag(int8)), ParameterSelection.Parse($"sample:{entries}"), seed: 9);
            var changes = Enumerable.Range(0, (int)sites.Count).Select(o => sites.Change(o)).ToList();
            if (!int8)
            {
                // Every exponent-MSB flip of the first convolution, on top of the sample.
                var msb = FlipSites.Create(target, BitSelection.Parse("exponent-msb"), ParameterSelection.Parse($"layer:{msbLayer}"), seed: 0);
                changes.AddRange(Enumerable.Range(0, (int)msb.Count).Select(o => msb.Change(o)));
            }
            Assert.True(changes.Count >= 2000, $"{changes.Count} flips");
            // The evaluator itself, on every tensor: the factory gives these models' dense tails to the linear-chain
            // evaluator (ConvolutionalTailTests) and only the rest to this one.
            var fast = CertifiedSkipEvaluator.TryCreate(model, target.Tensors.Select(t => t.Name).ToList(),
                target.Tensors.Select(t => (TorchSharp.torch.Tensor)t.Parameter).ToList(), data.Test.Images, data.Test.Labels);
            Assert.NotNull(fast);
            using var naive = new NaiveFlipEvaluator(target, data.Test.Images, data.Test.Labels);
            using (fast)
            {
                var a = new long[changes.Count];
                var b = new long[changes.Count];
                fast.Evaluate(changes.ToArray(), a);
                naive.Evaluate(changes.ToArray(), b);
                var mismatches = Enumerable.Range(0, changes.Count).Where(k => a[k] != b[k]).Select(k => $"{changes[k]}: fast {a[k]}, naive {b[k]}").ToList();
                Assert.True(mismatches.Count == 0, $"{mismatches.Count} mismatches:\n" + string.Join("\n", mismatches.Take(10)));
                Assert.True(b.Count(c => c != naive.CleanCorrect) >= 10, "too few flips change the count for the comparison to mean much");
                // How much work the bounds save is a speed question, measured in bench/, not here.
            }
        }
    }
}
