using FlipGuard.Core;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FlipGuard.Models.Zoo;

/// <summary>
/// LeNet-5 (two 5×5 convolutions, three fully connected layers), the paper's convolutional MNIST model.
/// 28×28 inputs are padded by 2 so that the feature maps match the classic 32×32 design. Its forward is its
/// <see cref="Layers"/> run in order (conv1, ReLU, 2×2 max-pool, conv2, ReLU, 2×2 max-pool, flatten, fc1, ReLU, fc2,
/// ReLU, fc3), so analyses can read its structure: the sweep sees a fully connected ReLU chain after the convolutions.
/// </summary>
public sealed class LeNet5 : nn.Module<Tensor, Tensor>, ILayerSequence
{
    private readonly Conv2d conv1, conv2;
    private readonly Linear fc1, fc2, fc3;
    private readonly nn.Module<Tensor, Tensor>[] layers; // an array, which RegisterComponents skips: named_modules() and the state dict stay conv1–fc3

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
        layers = [conv1, nn.ReLU(), nn.MaxPool2d(2), conv2, nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), fc1, nn.ReLU(), fc2, nn.ReLU(), fc3];
        RegisterComponents();
    }

    /// <inheritdoc />
    public IReadOnlyList<nn.Module<Tensor, Tensor>> Layers => layers;

    /// <inheritdoc />
    public bool AddsInput => false;

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => ILayerSequence.Run(this, input);
}
