using FlipGuard.Core;
using FlipGuard.Models.Zoo;
using static TorchSharp.torch;

namespace FlipGuard.Tests.Models;

public class ModelZooTests
{
    [Theory]
    [InlineData("mlp", 1, 28, 266_610)]
    [InlineData("lenet5", 1, 28, 61_706)]
    [InlineData("lenet5", 3, 32, 62_006)]
    [InlineData("vgg-small", 3, 32, -1)]
    [InlineData("resnet20", 3, 32, 269_722)]
    [InlineData("vgg-small", 1, 28, -1)]
    public void ForwardGivesOneLogitRowPerImage(string name, int channels, int side, long expectedParameters)
    {
        using var scope = NewDisposeScope();
        var model = ModelZoo.Create(name, channels, side, side, 10, seed: 1);
        model.eval();
        var x = randn(5, channels, side, side);
        var y = model.forward(x);
        Assert.Equal(new long[] { 5, 10 }, y.shape);
        Assert.True(isfinite(y).all().item<bool>());
        if (expectedParameters > 0) Assert.Equal(expectedParameters, ModelZoo.ParameterCount(model));
    }

    [Fact]
    public void SameSeedGivesSameInitialWeights()
    {
        using var scope = NewDisposeScope();
        var a = ModelZoo.Create("lenet5", 1, 28, 28, 10, seed: 7);
        var b = ModelZoo.Create("lenet5", 1, 28, 28, 10, seed: 7);
        var c = ModelZoo.Create("lenet5", 1, 28, 28, 10, seed: 8);
        foreach (var ((name, pa), (_, pb)) in a.named_parameters().Zip(b.named_parameters()))
            Assert.True(pa.equal(pb).all().item<bool>(), name);
        Assert.False(a.parameters().First().equal(c.parameters().First()).all().item<bool>());
    }

    [Fact]
    public void UnknownNameIsAUserError()
    {
        var e = Assert.Throws<FlipGuardException>(() => ModelZoo.Create("resnet999", 3, 32, 32, 10));
        Assert.Contains("mlp", e.Message);
    }
}
