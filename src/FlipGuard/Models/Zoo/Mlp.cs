using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FlipGuard.Models.Zoo;

/// <summary>
/// LeNet-300-100: the fully connected MNIST network of the source paper's smallest experiments,
/// small enough (266,610 parameters for 28×28 inputs) that every bit of every weight can be swept. Its forward is
/// its <see cref="Layers"/> (flatten, fc1, ReLU, fc2, ReLU, fc3) run in order, so analyses can read its structure.
/// </summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>, ILayerSequence
{
    private readonly Linear fc1, fc2, fc3;
    private readonly nn.Module<Tensor, Tensor>[] layers; // an array, which RegisterComponents skips: named_modules() and the state dict stay fc1–fc3

    /// <summary>Creates the network for flattened inputs of <paramref name="inputFeatures"/> values.</summary>
    public Mlp(int inputFeatures, int classes) : base("mlp")
    {
        fc1 = nn.Linear(inputFeatures, 300);
        fc2 = nn.Linear(300, 100);
        fc3 = nn.Linear(100, classes);
        layers = [nn.Flatten(), fc1, nn.ReLU(), fc2, nn.ReLU(), fc3];
        RegisterComponents();
    }

    /// <inheritdoc />
    public IReadOnlyList<nn.Module<Tensor, Tensor>> Layers => layers;

    /// <inheritdoc />
    public bool AddsInput => false;

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => ILayerSequence.Run(this, input);
}
