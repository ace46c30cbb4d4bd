using FlipGuard.Core;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FlipGuard.Models.Zoo;

/// <summary>
/// LeNet-5 (two 5×5 convolutions, three fully connected layers), the paper's convolutional MNIST model.
/// 28×28 inputs are padded by 2 so that the feature maps match the classic 32×32 design.
/// </summary>
public sealed class LeNet5 : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1, conv2;
    private readonly Linear fc1, fc2, fc3;

    /// <summary>Creates LeNet-5 for square images of the given channel count and side (28 or 32 typically).</summary>
    public LeNet5(int channels, int side, int classes) : base("lenet5")
    {
        int padding = Math.Max(0, (32 - side) / 2);
        conv1 = nn.Conv2d(channels, 6, 5, padding: padding);
        conv2 = nn.Conv2d(6, 16, 5);
        int after = ((side + 2 * padding - 4) / 2 - 4) / 2;
        if (after < 1) throw new FlipGuardException($"lenet5 needs images of at least 28×28 pixels, got {side}×{side}");
        fc1 = nn.Linear(16 * after * after, 120);
        fc2 = nn.Linear(120, 84);
        fc3 = nn.Linear(84, classes);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var c1 = nn.functional.relu(conv1.call(input));
        using var p1 = nn.functional.max_pool2d(c1, 2);
        using var c2 = nn.functional.relu(conv2.call(p1));
        using var p2 = nn.functional.max_pool2d(c2, 2);
        using var flat = p2.flatten(1);
        using var f1 = nn.functional.relu(fc1.call(flat));
        using var f2 = nn.functional.relu(fc2.call(f1));
        return fc3.call(f2);
    }
}
