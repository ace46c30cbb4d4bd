using FlipGuard.Checkpoints;
using FlipGuard.Core;
using FlipGuard.Models;
using FlipGuard.Models.Described;
using static TorchSharp.torch;

namespace FlipGuard.Tests.Models;

public class SequentialBuilderTests
{
    [Theory]
    [InlineData("mlp", 1, 28)]
    [InlineData("lenet5", 1, 28)]
    [InlineData("lenet5", 3, 32)]
    [InlineData("vgg-small", 3, 32)]
    public void ZooDescriptionsRebuildTheZooModelsExactly(string name, int channels, int side)
    {
        using var scope = NewDisposeScope();
        var spec = new ModelSpec(name, channels, side, side, 10);
        var zoo = spec.Create(seed: 3);
        var (described, _) = SequentialBuilder.Build(ZooDescriptions.For(spec)!, channels, side, side, 10);
        var a = zoo.state_dict();
        var b = described.state_dict();
        Assert.Equal(a.Keys, b.Keys);
        using (no_grad()) foreach (var (k, t) in a) b[k].copy_(t);
        zoo.eval();
        described.eval();
        var x = randn(4, channels, side, side, generator: new Generator(4));
        using var _ = no_grad();
        Assert.True(zoo.forward(x).equal(described.forward(x)).all().item<bool>());
    }

    [Fact]
    public void DescribedSpecRoundTripsThroughACheckpoint()
    {
        using var dir = new TempDirectory();
        var spec = FlipGuard.Tests.Interop.PyTorchFixture.Spec("tiny-cnn");
        using var model = spec.Create(seed: 2);
        CheckpointFile.Save(dir.File("c.fgc"), model, new CheckpointMetadata { Model = spec });
        var (meta, loaded) = CheckpointFile.Load(dir.File("c.fgc"));
        using (loaded)
        {
            Assert.Equal(spec, meta.Model);
            Assert.NotNull(meta.Model.Description);
            Assert.IsType<DescribedNetwork>(loaded);
            Assert.Equal(model.state_dict().Keys, loaded.state_dict().Keys);
        }
    }

    [Theory]
    [InlineData("""{"name":"a","layers":[{"type":"linear","out":10}]}""", "layer 0 (linear): needs a flat input but gets [1,28,28]")]
    [InlineData("""{"name":"a","layers":[{"type":"flatten"},{"type":"linear","out":7}]}""", "gives [7] per sample but the data has 10 classes")]
    [InlineData("""{"name":"a","layers":[{"type":"residual","layers":[{"type":"conv","out":3,"kernel":3}]},{"type":"flatten"},{"type":"linear","out":10}]}""", "layer 0 (residual): its layers turn [1,28,28] into [3,26,26]")]
    [InlineData("""{"name":"a","layers":[{"type":"dense","out":10}]}""", "layer 0 (dense): unknown layer type")]
    [InlineData("""{"name":"a","layers":[{"type":"conv","out":4}]}""", "layer 0 (conv): needs a positive \"kernel\"")]
    [InlineData("""{"name":"a","layers":[{"type":"flatten"},{"type":"linear","name":"x","out":10},{"type":"relu","name":"x"}]}""", "already named 'x'")]
    [InlineData("""{"name":"a","layers":[{"type":"conv","out":4,"kernal":3}]}""", "not a valid architecture description")]
    [InlineData("""{"name":"mlp","layers":[{"type":"flatten"},{"type":"linear","out":10}]}""", "taken by a built-in model")]
    [InlineData("""{"name":"a","layers":[{"type":"conv","out":4,"kernel":40},{"type":"flatten"},{"type":"linear","out":10}]}""", "is too small")]
    [InlineData("""{"name":"a","layers":[{"type":"flatten"},{"type":"linear","out":2000000000},{"type":"linear","out":10}]}""", "more than the 268,435,456 FlipGuard builds")] // 6 TB once asked for
    [InlineData("""{"name":"a","layers":[{"type":"conv","out":400000,"kernel":1},{"type":"flatten"},{"type":"linear","out":10}]}""", "output would hold more than")]
    [InlineData("""{"name":"a","layers":[{"type":"conv","out":2000000000,"kernel":9000}]}""", "parameters, more than")]
    public void BadDescriptionsFailWithOneSentenceNamingTheLayer(string json, string expected)
    {
        var e = Assert.Throws<FlipGuardException>(() => ModelSpec.Described(ArchitectureDescription.Parse(json, "arch.json"), 1, 28, 28, 10));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void LayerSummaryGivesShapesAndParameterCounts()
    {
        var d = ArchitectureDescription.Load(FlipGuard.Tests.Interop.PyTorchFixture.File("tiny-cnn.json"));
        var (model, layers) = SequentialBuilder.Build(d, 1, 28, 28, 10);
        using (model)
        {
            Assert.Equal(["0", "1", "2", "3", "4", "4.0", "4.1", "4.2", "5", "6", "7", "8", "head"], layers.Select(l => l.Path));
            Assert.Equal(new long[] { 4, 14, 14 }, layers.Single(l => l.Path == "4").OutputShape);
            Assert.Equal(new long[] { 128 }, layers.Single(l => l.Path == "8").OutputShape);
            Assert.Equal(model.parameters().Sum(p => p.numel()), layers.Sum(l => l.Parameters));
        }
    }
}
