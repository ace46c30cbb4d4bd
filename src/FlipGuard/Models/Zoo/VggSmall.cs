using FlipGuard.Core;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FlipGuard.Models.Zoo;

/// <summary>
/// A small VGG-style CNN (three stages of two 3×3 convolutions with batch norm, then two dense layers):
/// a middle-sized convolutional model between LeNet-5 and ResNet-20 for CIFAR-10 and MNIST-like data. Its forward is
/// its <see cref="Layers"/> run in order (the convolutional features, flatten, fc1, ReLU, fc2).
/// </summary>
public sealed class VggSmall : nn.Module<Tensor, Tensor>, ILayerSequence
{
    private readonly Sequential features;
    private readonly Linear fc1, fc2;
    private readonly nn.Module<Tensor, Tensor>[] layers; // an array, which RegisterComponents skips: the state dict stays features.*, fc1, fc2

    /// <summary>Creates the network for square images of the given channel count and side.</summary>
    public VggSmall(int channels, int side, int classes) : base("vgg-small")
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        int inC = channels, size = side, stage = 0;
        foreach (int width in new[] { 32, 64, 128 })
        {
            stage++;
            for (int j = 1; j <= 2; j++)
            {
                layers.Add(($"conv{stage}_{j}", nn.Conv2d(inC, width, 3, padding: 1, bias: false)));
                layers.Add(($"bn{stage}_{j}", nn.BatchNorm2d(width)));
                layers.Add(($"relu{stage}_{j}", nn.ReLU()));
                inC = width;
            }
            layers.Add(($"pool{stage}", nn.MaxPool2d(2)));
            size /= 2;
        }
        if (size < 1) throw new FlipGuardException($"vgg-small needs images of at least 8×8 pixels, got {side}×{side}");
        features = nn.Sequential(layers);
        fc1 = nn.Linear(128 * size * size, 256);
        fc2 = nn.Linear(256, classes);
        this.layers = [features, nn.Flatten(), fc1, nn.ReLU(), fc2];
        RegisterComponents();
    }

    /// <inheritdoc />
    public IReadOnlyList<nn.Module<Tensor, Tensor>> Layers => layers;

    /// <inheritdoc />
    public bool AddsInput => false;

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => ILayerSequence.Run(this, input);
}
