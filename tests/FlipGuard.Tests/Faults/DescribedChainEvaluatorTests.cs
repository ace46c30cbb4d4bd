using FlipGuard.Data;
using FlipGuard.Faults.Encodings;
using FlipGuard.Faults.Evaluation;
using FlipGuard.Faults.Evaluation.FullyConnected;
using FlipGuard.Faults.Targets;
using FlipGuard.Models;
using FlipGuard.Models.Described;
using FlipGuard.Sweeps;
using FlipGuard.Tests.Interop;
using FlipGuard.Training;
using static TorchSharp.torch;

namespace FlipGuard.Tests.Faults;

/// <summary>
/// The linear-chain evaluator is chosen by structure, not class: a described or imported fully connected ReLU network
/// gets it and agrees with the naive oracle flip for flip; anything its math does not cover keeps the other choices.
/// </summary>
public class DescribedChainEvaluatorTests
{
    /// <summary>A described network of <paramref name="layers"/> (JSON layer objects) for 28×28 digits and 10 classes.</summary>
    internal static ModelSpec Described(string layers) =>
        ModelSpec.Described(ArchitectureDescription.Parse($$"""{"name":"net","layers":[{{layers}}]}""", "test"), 1, 28, 28, 10);

    [Trait("Category", TestCategories.Slow)]
    [Theory]
    // Unnamed layers (state-dict names 1.weight, 3.weight, …), three linear layers like the zoo's mlp.
    [InlineData("""{"type":"flatten"},{"type":"linear","out":128},{"type":"relu"},{"type":"linear","out":64},{"type":"relu"},{"type":"linear","out":10}""", "5", true, 1000)]
    // A named sequential block (inlined), a layer without bias, a single hidden layer.
    [InlineData("""{"type":"flatten"},{"type":"sequential","name":"body","layers":[{"type":"linear","name":"fc1","out":96,"bias":false},{"type":"relu"}]},{"type":"linear","name":"head","out":10}""", "head", true, 300)]
    // No hidden layer at all: multinomial logistic regression.
    [InlineData("""{"type":"flatten"},{"type":"linear","name":"fc","out":10}""", "fc", false, 300)]
    public void ADescribedMlpGetsTheLinearChainEvaluatorAndAgreesWithTheOracle(string layers, string msbLayer, bool hidden, int samples)
    {
        using var data = LoadedDataset.Load("mnist", null, testLimit: samples);
        var spec = Described(layers);
        var (model, _) = Trainer.Train(spec, new TrainingConfig { Model = spec.Architecture, Epochs = 1, TrainLimit = 2000, Seed = 4 }, TrainingData.From(data));
        using (model) AgreesWithTheOracle(model, data, msbLayer, hidden);
    }

    [Fact]
    public void AnImportedMlpGetsTheLinearChainEvaluatorAndAgreesWithTheOracle()
    {
        using var data = LoadedDataset.Load("mnist", null, testLimit: 300);
        var (imported, result) = PyTorchFixture.Import("tiny-mlp", "tiny-mlp.pt"); // PyTorch's untrained weights: train on from them
        using (imported)
        {
            var config = new TrainingConfig { Model = result.Model.Architecture, Epochs = 1, TrainLimit = 2000, Seed = 4 };
            var (model, _) = Trainer.Train(result.Model, config, TrainingData.From(data), initialWeights: imported);
            using (model) AgreesWithTheOracle(model, data, "fc2", hidden: true);
        }
    }

    private static void AgreesWithTheOracle(nn.Module<Tensor, Tensor> model, LoadedDataset data, string msbLayer, bool hidden)
    {
        var target = FlipTarget.Create(model);
        var sites = FlipSites.Create(target, BitSelection.Parse("all"), ParameterSelection.Parse("sample:70"), seed: 11);
        var changes = Enumerable.Range(0, (int)sites.Count).Select(o => sites.Change(o)).ToList();
        // Every exponent-MSB flip of one layer: the flips that saturate units and overflow to ±Inf.
        var msb = FlipSites.Create(target, BitSelection.Parse("exponent-msb"), ParameterSelection.Parse($"layer:{msbLayer}"), seed: 0);
        changes.AddRange(Enumerable.Range(0, (int)msb.Count).Select(o => msb.Change(o)));
        // Hand-made extremes: NaN, ±Inf, near float32 overflow, and an entry set to exactly its old value.
        var values = target.Tensors.Select(t => t.Parameter.detach().cpu().contiguous().view(-1).data<float>().ToArray()).ToList();
        int last = target.Tensors.Count - 1;
        changes.Add(new ParameterChange(0, 5, float.NaN));
        changes.Add(new ParameterChange(0, 6, float.PositiveInfinity));
        changes.Add(new ParameterChange(last, 1, float.NegativeInfinity));
        changes.Add(new ParameterChange(last, 2, 3e38f));
        changes.Add(new ParameterChange(0, 9, values[0][9]));
        changes.Add(new ParameterChange(0, 10, Float32Bits.Flip(values[0][10], 30)));
        Assert.True(changes.Count >= 2000, $"{changes.Count} flips");

        var (fast, name) = FlipEvaluatorFactory.Create(target, data.Test.Images, data.Test.Labels, naive: false);
        using var naive = new NaiveFlipEvaluator(target, data.Test.Images, data.Test.Labels);
        using (fast)
        {
            Assert.Equal("fast-linear", name);
            var chain = Assert.IsType<LinearChainEvaluator>(fast);
            Assert.Equal(naive.CleanCorrect, fast.CleanCorrect);
            var a = new long[changes.Count];
            var b = new long[changes.Count];
            fast.Evaluate(changes.ToArray(), a);
            naive.Evaluate(changes.ToArray(), b);
            var mismatches = Enumerable.Range(0, changes.Count).Where(k => a[k] != b[k])
                .Select(k => $"{target.Tensors[changes[k].Tensor].Name}[{changes[k].Index}] → {changes[k].NewValue}: fast {a[k]}, naive {b[k]}").ToList();
            Assert.True(mismatches.Count == 0, $"{mismatches.Count} mismatches:\n" + string.Join("\n", mismatches.Take(10)));
            Assert.True(b.Count(c => c != naive.CleanCorrect) >= 10, "too few flips change the count for the comparison to mean much");
            Assert.Contains(b, c => c == 0 || c < naive.CleanCorrect / 2); // the destructive flips were among them
            var (fallbackFlips, _, certified) = chain.Statistics;
            // Both the torch fallback and (with a hidden layer) the incremental float64 recomputation were exercised.
            Assert.True(fallbackFlips > 0 && (certified > 0 || !hidden), $"fallback flips {fallbackFlips}, incremental samples {certified}");
        }
        for (int t = 0; t < target.Tensors.Count; t++)
            Assert.Equal(values[t], target.Tensors[t].Parameter.detach().cpu().contiguous().view(-1).data<float>().ToArray());
    }

    [Theory]
    // Plain stacks the chain math does not cover get the certified skip with the incremental pass; a residual block only the skip.
    [InlineData("linear-linear", """{"type":"flatten"},{"type":"linear","out":32},{"type":"linear","out":10}""", "fast-certified-skip+incremental")]
    [InlineData("relu-after-last", """{"type":"flatten"},{"type":"linear","out":32},{"type":"relu"},{"type":"linear","out":10},{"type":"relu"}""", "fast-certified-skip+incremental")]
    [InlineData("two-relus", """{"type":"flatten"},{"type":"linear","out":32},{"type":"relu"},{"type":"relu"},{"type":"linear","out":10}""", "fast-certified-skip+incremental")]
    [InlineData("late-flatten", """{"type":"flatten"},{"type":"linear","out":32},{"type":"flatten"},{"type":"relu"},{"type":"linear","out":10}""", "fast-certified-skip+incremental")]
    [InlineData("residual", """{"type":"flatten"},{"type":"linear","out":32},{"type":"relu"},{"type":"residual","layers":[{"type":"linear","out":32},{"type":"relu"}]},{"type":"linear","out":10}""", "fast-certified-skip+incremental")]
    [InlineData("batchnorm", """{"type":"flatten"},{"type":"linear","out":32},{"type":"batchnorm"},{"type":"relu"},{"type":"linear","out":10}""", "naive")]
    public void StructuresTheChainMathDoesNotCoverKeepTheirEvaluator(string what, string layers, string expected)
    {
        using var data = LoadedDataset.Load("mnist", null, testLimit: 100);
        using var model = Described(layers).Create(seed: 1);
        var target = FlipTarget.Create(model);
        var names = target.Tensors.Select(t => t.Name).ToList();
        var tensors = target.Tensors.Select(t => (Tensor)t.Parameter).ToList();
        Assert.Null(LinearChainEvaluator.TryCreate(model, names, tensors, data.Test.Images, data.Test.Labels));
        var (evaluator, name) = FlipEvaluatorFactory.Create(target, data.Test.Images, data.Test.Labels, naive: false);
        using (evaluator) Assert.True(expected == name, $"{what}: {name}");
    }

    [Fact]
    public void TheZooMlpAndItsDescriptionAreTheSameChain()
    {
        var spec = new ModelSpec("mlp", 1, 28, 28, 10);
        using var zoo = spec.Create(seed: 1);
        var (described, _) = SequentialBuilder.Build(ZooDescriptions.For(spec)!, 1, 28, 28, 10);
        using (described)
        {
            Assert.Equal(FlipEvaluatorFactory.FastPathBytes(zoo, 1), FlipEvaluatorFactory.FastPathBytes(described, 1));
            using var images = zeros(100, 1, 28, 28);
            using var labels = zeros(new long[] { 100 }, ScalarType.Int64);
            foreach (var model in new nn.Module<Tensor, Tensor>[] { zoo, described })
            {
                var (evaluator, name) = FlipEvaluatorFactory.Create(FlipTarget.Create(model), images, labels, naive: false);
                using (evaluator) Assert.Equal("fast-linear", name);
            }
        }
    }

    [Fact]
    public void AChainWithoutFlattenQualifiesOnlyForFlatInputs()
    {
        // ModelSpec inputs are images, so a described chain always starts with flatten; a hand-built one need not.
        using var model = new TestChain();
        var target = FlipTarget.Create(model);
        var names = target.Tensors.Select(t => t.Name).ToList();
        var tensors = target.Tensors.Select(t => (Tensor)t.Parameter).ToList();
        using var labels = zeros(new long[] { 64 }, ScalarType.Int64);
        using var flat = randn(64, 12, generator: new Generator(3));
        using (var fast = LinearChainEvaluator.TryCreate(model, names, tensors, flat, labels)) Assert.NotNull(fast);
        using var images = randn(64, 1, 3, 4, generator: new Generator(3));
        Assert.Null(LinearChainEvaluator.TryCreate(model, names, tensors, images, labels));
    }

    /// <summary>linear 12→8, ReLU, linear 8→3, declared through <see cref="ILayerSequence"/> by a class the evaluator has never heard of.</summary>
    private sealed class TestChain : nn.Module<Tensor, Tensor>, ILayerSequence
    {
        private readonly TorchSharp.Modules.Linear a = nn.Linear(12, 8), b = nn.Linear(8, 3);
        private readonly nn.Module<Tensor, Tensor>[] layers;

        public TestChain() : base("test-chain")
        {
            layers = [a, nn.ReLU(), b];
            RegisterComponents();
        }

        public IReadOnlyList<nn.Module<Tensor, Tensor>> Layers => layers;

        public bool AddsInput => false;

        public override Tensor forward(Tensor input) => ILayerSequence.Run(this, input);
    }
}
