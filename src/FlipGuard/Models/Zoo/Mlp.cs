using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FlipGuard.Models.Zoo;

/// <summary>
/// LeNet-300-100: the fully connected MNIST network of the source paper's smallest experiments,
/// small enough (266,610 parameters for 28×28 inputs) that every bit of every weight can be swept.
/// </summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc1, fc2, fc3;

    /// <summary>Creates the network for flattened inputs of <paramref name="inputFeatures"/> values.</summary>
    public Mlp(int inputFeatures, int classes) : base("mlp")
    {
        fc1 = nn.Linear(inputFeatures, 300);
        fc2 = nn.Linear(300, 100);
        fc3 = nn.Linear(100, classes);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var x0 = input.flatten(1);
        using var x1 = nn.functional.relu(fc1.call(x0));
        using var x2 = nn.functional.relu(fc2.call(x1));
        return fc3.call(x2);
    }
}
