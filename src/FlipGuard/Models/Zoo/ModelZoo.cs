using FlipGuard.Core;
using FlipGuard.Models.Described;
using static TorchSharp.torch;

namespace FlipGuard.Models.Zoo;

/// <summary>
/// The architectures FlipGuard ships, by the name users type (<c>--model mlp</c>), so that checkpoints
/// can record a name and be rebuilt exactly.
/// </summary>
public static class ModelZoo
{
    /// <summary>The names accepted by <see cref="Create(string, int, int, int, int, long)"/>, with one line on what each is for.</summary>
    public static IReadOnlyList<(string Name, string Description)> Architectures { get; } = new[]
    {
        ("mlp", "LeNet-300-100, fully connected (784-300-100-10 on MNIST)"),
        ("lenet5", "LeNet-5, two 5x5 convolutions and three dense layers"),
        ("vgg-small", "small VGG-style CNN: 3 stages of two 3x3 convolutions with batch norm"),
        ("resnet20", "ResNet-20 for 32x32 images (CIFAR variant)"),
    };

    private static readonly object SeedGate = new();

    /// <summary>
    /// Builds a model whose initial weights depend only on <paramref name="seed"/>. Initialisation draws from
    /// torch's process-wide generator, so seeding and building happen under one lock.
    /// </summary>
    /// <exception cref="FlipGuardException">Unknown name or an input shape the architecture cannot take.</exception>
    public static nn.Module<Tensor, Tensor> Create(string name, int channels, int height, int width, int classes, long seed = 0)
    {
        TorchRuntime.EnsureInitialized();
        lock (SeedGate)
        {
            manual_seed(seed);
            return Build(name, channels, height, width, classes);
        }
    }

    /// <summary>
    /// Builds a user-described architecture (<see cref="SequentialBuilder"/>) under the same seeding rule as the zoo.
    /// </summary>
    /// <exception cref="FlipGuardException">The description does not fit the input shape or class count.</exception>
    public static nn.Module<Tensor, Tensor> Create(ArchitectureDescription description, int channels, int height, int width, int classes, long seed = 0)
    {
        TorchRuntime.EnsureInitialized();
        if (classes < 2) throw new FlipGuardException($"a classifier needs at least 2 classes, got {classes}");
        lock (SeedGate)
        {
            manual_seed(seed);
            return SequentialBuilder.Build(description, channels, height, width, classes).Model;
        }
    }

    private static nn.Module<Tensor, Tensor> Build(string name, int channels, int height, int width, int classes)
    {
        if (classes < 2) throw new FlipGuardException($"a classifier needs at least 2 classes, got {classes}");
        if (height != width && name != "mlp") throw new FlipGuardException($"{name} needs square images, got {height}×{width}");
        return name switch
        {
            "mlp" => new Mlp(channels * height * width, classes),
            "lenet5" => new LeNet5(channels, height, classes),
            "vgg-small" => new VggSmall(channels, height, classes),
            "resnet20" => new ResNet20(channels, classes),
            _ => throw new FlipGuardException(
                $"unknown model '{name}'; choose one of: {string.Join(", ", Architectures.Select(a => a.Name))}"),
        };
    }

    /// <summary>Number of trainable parameters (the values a bit-flip sweep can corrupt).</summary>
    public static long ParameterCount(nn.Module module) => module.parameters().Sum(p => p.numel());
}
