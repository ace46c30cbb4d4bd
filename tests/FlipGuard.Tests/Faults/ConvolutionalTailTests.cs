using FlipGuard.Data;
using FlipGuard.Faults.Encodings;
using FlipGuard.Faults.Evaluation;
using FlipGuard.Faults.Evaluation.FullyConnected;
using FlipGuard.Faults.Targets;
using FlipGuard.Models;
using FlipGuard.Sweeps;
using FlipGuard.Training;
using static TorchSharp.torch;

namespace FlipGuard.Tests.Faults;

/// <summary>
/// A network that ends in a fully connected ReLU chain after anything else (convolutions, batch norm, pooling, a
/// residual block) has the chain's flips evaluated by the linear-chain evaluator on the features torch computes once,
/// and the others by the evaluator the rest qualifies for; every count equals the naive oracle's.
/// </summary>
public class ConvolutionalTailTests
{
    private static ModelSpec Described(string layers) => DescribedChainEvaluatorTests.Described(layers);

    /// <summary>Sampled flips of every bit, every exponent-MSB flip of <paramref name="msbLayer"/>, and hand-made NaN/±Inf/denormal values in the tail.</summary>
    private static List<ParameterChange> Flips(FlipTarget target, string parameters, string msbLayer, ulong seed)
    {
        var bits = BitSelection.Parse("all", target.Encoding);
        var sites = FlipSites.Create(target, bits, ParameterSelection.Parse(parameters), seed);
        var changes = Enumerable.Range(0, (int)sites.Count).Select(o => sites.Change(o)).ToList();
        if (msbLayer != "")
        {
            var msb = FlipSites.Create(target, BitSelection.Parse(target.Encoding.IsInteger ? "sign" : "exponent-msb", target.Encoding), ParameterSelection.Parse($"layer:{msbLayer}"), 0);
            changes.AddRange(Enumerable.Range(0, (int)msb.Count).Select(o => msb.Change(o)));
        }
        int last = target.Tensors.Count - 1;
        float old = target.Tensors[last].ReadValues()[3];
        changes.AddRange([
            new ParameterChange(last, 0, float.NaN), new ParameterChange(last, 1, float.PositiveInfinity),
            new ParameterChange(last, 2, float.NegativeInfinity), new ParameterChange(last, 3, 1e-40f),
            new ParameterChange(last, 4, 3e38f), new ParameterChange(last, 3, Float32Bits.Flip(old, 30)),
        ]);
        return changes;
    }

    private static void AgreesWithTheOracle(FlipTarget target, Tensor images, Tensor labels, List<ParameterChange> changes, string expectedName, int chunk = 1000)
    {
        var (fast, name) = FlipEvaluatorFactory.Create(target, images, labels, naive: false, chunk);
        using var naive = new NaiveFlipEvaluator(target, images, labels, chunk);
        using (fast)
        {
            Assert.Equal(expectedName, name);
            Assert.Equal(naive.CleanCorrect, fast.CleanCorrect);
            var a = new long[changes.Count];
            var b = new long[changes.Count];
            fast.Evaluate(changes.ToArray(), a);
            naive.Evaluate(changes.ToArray(), b);
            var mismatches = Enumerable.Range(0, changes.Count).Where(k => a[k] != b[k])
                .Select(k => $"{target.Tensors[changes[k].Tensor].Name}[{changes[k].Index}] → {changes[k].NewValue}: fast {a[k]}, naive {b[k]}").ToList();
            Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {changes.Count} mismatch:\n" + string.Join("\n", mismatches.Take(10)));
            Assert.True(b.Count(c => c != naive.CleanCorrect) >= 10, "too few flips change the count for the comparison to mean much");
            if (!target.Encoding.IsInteger) Assert.Contains(b, c => c < naive.CleanCorrect / 2); // destructive flips were among them
        }
    }

    [Trait("Category", TestCategories.Slow)]
    [Theory]
    // Everything before the first linear layer is a prefix torch runs once; with no parameters there the chain is the whole network.
    [InlineData("relu-first", """{"type":"relu"},{"type":"flatten"},{"type":"linear","out":32},{"type":"relu"},{"type":"linear","out":10}""", "fast-linear")]
    [InlineData("pooling", """{"type":"maxpool","kernel":2},{"type":"flatten"},{"type":"linear","out":32},{"type":"relu"},{"type":"linear","out":10}""", "fast-linear")]
    [InlineData("conv", """{"type":"conv","out":4,"kernel":5},{"type":"relu"},{"type":"flatten"},{"type":"linear","out":10}""", "fast-linear-tail+certified-skip+incremental")]
    // Batch norm and a residual block before a two-layer tail (the incremental pass follows the residual sum).
    [InlineData("bn-residual", """{"type":"conv","name":"c1","out":4,"kernel":3,"padding":1},{"type":"batchnorm","name":"bn1"},{"type":"relu"},{"type":"residual","layers":[{"type":"conv","name":"c2","out":4,"kernel":3,"padding":1},{"type":"batchnorm","name":"bn2"},{"type":"relu"}]},{"type":"maxpool","kernel":4},{"type":"flatten"},{"type":"linear","name":"fc1","out":24},{"type":"relu"},{"type":"linear","name":"fc2","out":10}""", "fast-linear-tail+certified-skip+incremental")]
    public void ADescribedNetworkWithAPrefixGetsTheChainForItsTail(string what, string layers, string expected)
    {
        using var data = LoadedDataset.Load("mnist", null, testLimit: 200);
        using var model = Described(layers).Create(seed: 2);
        var target = FlipTarget.Create(model);
        // Labels are the model's own predictions but a few, so flips can both hurt and help.
        Tensor labels;
        using (no_grad()) labels = model.forward(data.Test.Images).argmax(1);
        labels[0] = (labels[0] + 1) % 10;
        // Every exponent-MSB flip of the first layer (a convolution where there is one) and of the smallest one (batch norm in bn-residual).
        string msb = string.Join(",", new[] { target.Tensors[0].Layer, target.Tensors.MinBy(t => t.Length)!.Layer }.Distinct());
        var changes = Flips(target, "sample:64", msb, seed: 5);
        Assert.True(changes.Count >= 2000, $"{what}: {changes.Count} flips");
        AgreesWithTheOracle(target, data.Test.Images, labels, changes, expected);
    }

    [Fact]
    public void TheChainAtTheEndIsFoundWhateverComesBefore()
    {
        var spec = Described("""{"type":"conv","out":4,"kernel":5},{"type":"relu"},{"type":"maxpool","kernel":2},{"type":"flatten"},{"type":"linear","name":"a","out":16},{"type":"relu"},{"type":"linear","name":"b","out":10}""");
        using var model = spec.Create(seed: 1);
        var chain = ReluChainStructure.Recognise(model);
        Assert.NotNull(chain);
        Assert.Equal(4, chain.Prefix.Count);
        Assert.False(chain.IsWholeNetwork);
        Assert.Equal([16L, 10L], chain.Linears.Select(l => l.out_features));
        using var zoo = new ModelSpec("lenet5", 1, 28, 28, 10).Create(seed: 1);
        Assert.Equal(3, ReluChainStructure.Recognise(zoo)!.Linears.Length);
        using var vgg = new ModelSpec("vgg-small", 1, 28, 28, 10).Create(seed: 1);
        Assert.Equal(2, ReluChainStructure.Recognise(vgg)!.Linears.Length);
    }

    [Trait("Category", TestCategories.Slow)]
    [Theory]
    [InlineData(false, 1000)]
    [InlineData(true, 1000)]
    [InlineData(false, 128)]
    public void LeNet5TailAndConvolutionFlipsMatchTheNaiveOracle(bool int8, int chunk)
    {
        using var data = LoadedDataset.Load("mnist", null, testLimit: 300);
        var spec = new ModelSpec("lenet5", 1, 28, 28, 10);
        var (model, _) = Trainer.Train(spec, new TrainingConfig { Model = "lenet5", Epochs = 2, TrainLimit = 3000, Seed = 3 }, TrainingData.From(data));
        using (model)
        {
            var encoding = int8 ? WeightEncodings.Int8 : WeightEncodings.Float32;
            var target = FlipTarget.Create(model, encoding);
            // Tail flips (fc1–fc3), every exponent-MSB (int8: sign) flip of fc3, and a few flips of the convolutions.
            var changes = Flips(target, "layer:fc1,fc2,fc3/sample:" + (int8 ? 300 : 70), "fc3", seed: 9);
            var conv = FlipSites.Create(target, BitSelection.Parse("all", encoding), ParameterSelection.Parse("layer:conv1,conv2/sample:" + (int8 ? 12 : 3)), 4);
            changes.AddRange(Enumerable.Range(0, (int)conv.Count).Select(o => conv.Change(o)));
            Assert.True(changes.Count >= 2000, $"{changes.Count} flips");
            AgreesWithTheOracle(target, data.Test.Images, data.Test.Labels, changes, "fast-linear-tail+certified-skip+incremental", chunk);
        }
    }
}
