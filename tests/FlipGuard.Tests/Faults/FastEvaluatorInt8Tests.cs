using FlipGuard.Faults.Encodings;
using FlipGuard.Sweeps;
using FlipGuard.Data;
using FlipGuard.Faults.Evaluation;
using FlipGuard.Faults.Targets;
using FlipGuard.Models;
using FlipGuard.Training;

namespace FlipGuard.Tests.Faults;

public class FastEvaluatorInt8Tests
{
    [Trait("Category", TestCategories.Slow)]
    [Fact]
    public void Int8FlipsMatchTheNaiveOracleFlipForFlip()
    {
        using var data = LoadedDataset.Load("mnist", null, testLimit: 300);
        var spec = new ModelSpec("mlp", 1, 28, 28, 10);
        var (model, _) = Trainer.Train(spec, new TrainingConfig { Epochs = 1, TrainLimit = 2000, Seed = 2 }, TrainingData.From(data));
        using (model)
        {
            var target = FlipTarget.Create(model, WeightEncodings.Int8);
            var sites = FlipSites.Create(target, BitSelection.Parse("all", WeightEncodings.Int8), ParameterSelection.Parse("sample:300"), seed: 5);
            Assert.Equal(2400, sites.Count);
            var changes = Enumerable.Range(0, (int)sites.Count).Select(o => sites.Change(o)).ToArray();
            var (fast, name) = FlipEvaluatorFactory.Create(target, data.Test.Images, data.Test.Labels, naive: false);
            using var naive = new NaiveFlipEvaluator(target, data.Test.Images, data.Test.Labels);
            using (fast)
            {
                Assert.Equal("fast-linear", name);
                Assert.Equal(naive.CleanCorrect, fast.CleanCorrect);
                var a = new long[changes.Length];
                var b = new long[changes.Length];
                fast.Evaluate(changes, a);
                naive.Evaluate(changes, b);
                var mismatches = Enumerable.Range(0, changes.Length).Where(k => a[k] != b[k]).Select(k => $"{changes[k]}: fast {a[k]}, naive {b[k]}").ToList();
                Assert.True(mismatches.Count == 0, string.Join("\n", mismatches.Take(10)));
                Assert.True(b.Count(c => c != naive.CleanCorrect) >= 10, "too few flips change the count for the comparison to mean much");
            }
        }
    }
}
