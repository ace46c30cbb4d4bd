using FlipGuard.Core;
using FlipGuard.Hessian;
using FlipGuard.Models;

namespace FlipGuard.Tests.Hessian;

public class LayerSelectionTests
{
    private static readonly ModelSpec Spec = new("lenet5", 1, 28, 28, 10);

    [Fact]
    public void SelectsAllLastAndNamedLayers()
    {
        using var model = Spec.Create();
        Assert.Equal(10, LayerSelection.All.Select(model).Count);
        Assert.Equal(new[] { "fc3.weight", "fc3.bias" }, LayerSelection.Parse("last:1").Select(model).Select(b => b.Name));
        Assert.Equal(new[] { "conv1", "fc2" }, LayerSelection.Parse("fc2,conv1").Select(model).Select(b => b.Layer).Distinct());
    }

    [Fact]
    public void SampleIsSeededAndResamplesWithAnotherSeed()
    {
        using var model = Spec.Create();
        var sample = LayerSelection.Parse("sample:2");
        var a = sample.Select(model, seed: 1).Select(b => b.Name).ToList();
        Assert.Equal(a, sample.Select(model, seed: 1).Select(b => b.Name));
        Assert.Equal(2, a.Select(n => n[..n.LastIndexOf('.')]).Distinct().Count());
        var seen = Enumerable.Range(0, 20).SelectMany(s => sample.Select(model, seed: s).Select(b => b.Layer)).Distinct().Count();
        Assert.Equal(5, seen);
    }

    [Theory]
    [InlineData("last:0")]
    [InlineData("sample:x")]
    [InlineData("fc9")]
    public void BadSelectionIsAUserError(string text)
    {
        using var model = Spec.Create();
        Assert.Throws<FlipGuardException>(() => LayerSelection.Parse(text).Select(model));
    }
}
