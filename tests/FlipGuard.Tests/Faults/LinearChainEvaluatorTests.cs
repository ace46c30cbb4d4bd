using FlipGuard.Core;
using FlipGuard.Data;
using FlipGuard.Faults.Evaluation;
using FlipGuard.Faults.Evaluation.FullyConnected;
using FlipGuard.Faults.Targets;
using FlipGuard.Models;
using FlipGuard.Training;
using static TorchSharp.torch;

namespace FlipGuard.Tests.Faults;

public class LinearChainEvaluatorTests
{
    private static float Flip(float value, int bit) => BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(value) ^ (1 << bit));

    [Trait("Category", TestCategories.Slow)]
    [Fact]
    public void FastCountsEqualTheNaivePathFlipForFlip()
    {
        using var data = LoadedDataset.Load("mnist", null, testLimit: 1000);
        var spec = new ModelSpec("mlp", 1, 28, 28, 10);
        var (model, _) = Trainer.Train(spec, new TrainingConfig { Epochs = 1, TrainLimit = 2000, Seed = 1 }, TrainingData.From(data));
        using (model)
        {
            var named = model.named_parameters().ToList();
            var names = named.Select(p => p.name).ToList();
            var tensors = named.Select(p => (Tensor)p.parameter).ToList();
            using var fast = LinearChainEvaluator.TryCreate(model, names, tensors, data.Test.Images, data.Test.Labels)!;
            Assert.NotNull(fast);
            var values = tensors.Select(t => t.detach().clone().data<float>().ToArray()).ToList();
            var changes = new List<ParameterChange>();
            var rng = new SplitMix64(42);
            for (int k = 0; k < 2000; k++)
            {
                int t = rng.NextInt(tensors.Count);
                long i = rng.NextInt(values[t].Length);
                changes.Add(new ParameterChange(t, i, Flip(values[t][i], rng.NextInt(32))));
            }
            int fc3 = names.IndexOf("fc3.weight");
            for (int i = 0; i < values[fc3].Length; i++) changes.Add(new ParameterChange(fc3, i, Flip(values[fc3][i], 30)));
            // A few hand-made extremes: NaN, ±Inf, huge, and a weight set to exactly its old value.
            changes.Add(new ParameterChange(0, 5, float.NaN));
            changes.Add(new ParameterChange(0, 6, float.PositiveInfinity));
            changes.Add(new ParameterChange(2, 7, float.NegativeInfinity));
            changes.Add(new ParameterChange(2, 8, 3e38f));
            changes.Add(new ParameterChange(4, 9, values[4][9]));

            var fastCounts = new long[changes.Count];
            fast.Evaluate(changes.ToArray(), fastCounts);
            var naive = new TorchSubsetEvaluationProbe(model, tensors, data.Test.Images, data.Test.Labels);
            var mismatches = new List<string>();
            for (int k = 0; k < changes.Count; k++)
            {
                long expected = naive.Count(changes[k]);
                if (expected != fastCounts[k]) mismatches.Add($"{names[changes[k].Tensor]}[{changes[k].Index}] → {changes[k].NewValue}: naive {expected}, fast {fastCounts[k]}");
            }
            Assert.True(mismatches.Count == 0, string.Join("\n", mismatches.Take(20)));
            // The comparison must have exercised every path: certified skips, incremental recomputation, and torch
            // (batched over more than two blocks of flips, so blocks past the first are checked too).
            var (fallbackFlips, fallbackSamples, certified) = fast.Statistics;
            Assert.True(fast.BatchedFallbackFlips > 2 * TorchSubsetEvaluation.MinimumRows && fallbackFlips > fast.BatchedFallbackFlips && certified > 0,
                $"fallback flips {fallbackFlips} ({fast.BatchedFallbackFlips} batched), samples {fallbackSamples}, incremental {certified}");
            for (int t = 0; t < tensors.Count; t++) Assert.Equal(values[t], tensors[t].data<float>().ToArray());
        }
    }
}

/// <summary>The naive path written out in the test: copy, set, full forward in 1000-sample chunks, count, restore.</summary>
internal sealed class TorchSubsetEvaluationProbe(nn.Module<Tensor, Tensor> model, IReadOnlyList<Tensor> tensors, Tensor images, Tensor labels)
{
    public long Count(ParameterChange change)
    {
        using var noGrad = no_grad();
        var flat = tensors[change.Tensor].view(-1);
        float old = flat[change.Index].item<float>();
        flat[change.Index] = change.NewValue;
        long correct = Evaluator.CountCorrect(model, images, labels, 1000);
        flat[change.Index] = old;
        return correct;
    }
}
