using FlipGuard.Models;
using FlipGuard.Tests.Interop;
using static TorchSharp.torch;

namespace FlipGuard.Tests.Models;

/// <summary>A network's declared <see cref="ILayerSequence"/> is its forward pass, bit for bit: analyses may trust it.</summary>
public class LayerSequenceTests
{
    [Theory]
    [InlineData("mlp")]
    [InlineData("tiny-mlp")]
    [InlineData("tiny-cnn")]
    public void RunningTheDeclaredLayersIsTheForwardPass(string name)
    {
        using var scope = NewDisposeScope();
        var spec = name == "mlp" ? new ModelSpec("mlp", 1, 28, 28, 10) : PyTorchFixture.Spec(name);
        var model = spec.Create(seed: 5);
        model.eval();
        var x = randn(8, 1, 28, 28, generator: new Generator(6));
        using var _ = no_grad();
        var sequence = Assert.IsAssignableFrom<ILayerSequence>(model);
        Assert.True(Run(sequence, x).equal(model.forward(x)).all().item<bool>());
        if (name == "tiny-cnn") Assert.Contains(sequence.Layers, l => l is ILayerSequence { AddsInput: true });
    }

    [Fact]
    public void TheZooMlpComputesWhatItsHandWrittenForwardComputed()
    {
        // Before the mlp declared its layers its forward was written out with functional flatten and ReLU.
        using var scope = NewDisposeScope();
        var model = new ModelSpec("mlp", 1, 28, 28, 10).Create(seed: 7);
        model.eval();
        var p = model.named_parameters().ToDictionary(kv => kv.name, kv => (Tensor)kv.parameter);
        var x = randn(16, 1, 28, 28, generator: new Generator(8));
        using var _ = no_grad();
        var h1 = nn.functional.relu(nn.functional.linear(x.flatten(1), p["fc1.weight"], p["fc1.bias"]));
        var h2 = nn.functional.relu(nn.functional.linear(h1, p["fc2.weight"], p["fc2.bias"]));
        var logits = nn.functional.linear(h2, p["fc3.weight"], p["fc3.bias"]);
        Assert.True(logits.equal(model.forward(x)).all().item<bool>());
        Assert.Equal(["fc1", "fc2", "fc3"], model.named_modules().Select(m => m.name));
    }

    private static Tensor Run(ILayerSequence sequence, Tensor input)
    {
        var x = input;
        foreach (var layer in sequence.Layers) x = layer is ILayerSequence inner ? Run(inner, x) : layer.forward(x);
        return sequence.AddsInput ? x + input : x;
    }
}
