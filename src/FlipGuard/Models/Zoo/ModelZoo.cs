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
    /// <summary>
    /// The catalogue: one entry per architecture (name, one line on what it is for, whether it needs square images, and
    /// how to build it for an input shape and class count). Adding an architecture is its class plus one line here.
    /// </summary>
    public static IReadOnlyList<ZooArchitecture> All { get; } =
    [
        new("mlp", "LeNet-300-100, fully connected (784-300-100-10 on MNIST)", false, i => new Mlp(i.Channels * i.Height * i.Width, i.Classes)),
        new("lenet5", "LeNet-5, two 5x5 convolutions and three dense layers", true, i => new LeNet5(i.Channels, i.Height, i.Classes)),
        new("vgg-small", "small VGG-style CNN: 3 stages of two 3x3 convolutions with batch norm", true, i => new VggSmall(i.Channels, i.Height, i.Classes)),
        new("resnet20", "ResNet-20 for 32x32 images (CIFAR variant)", true, i => new ResNet20(i.Channels, i.Classes)),
    ];

    /// <summary>The names accepted by <see cref="Create(string, int, int, int, int, long)"/>, with one line on what each is for.</summary>
    public static IReadOnlyList<(string Name, string Description)> Architectures { get; } = All.Select(a => (a.Name, a.Description)).ToArray();

    private static readonly object SeedGate = new();

    /// <summary>
    /// Builds a model whose initial weights depend only on <paramref name="seed"/>. Initialisation draws from
    /// torch's process-wide generator, so seeding and building happen under one lock.
    /// </summary>
    /// <exception cref="FlipGuardException">Unknown name or an input shape the architecture cannot take.</exception>
    public static nn.Module<Tensor, Tensor> Create(string name, int channels, int height, int width, int classes, long seed = 0) =>
        Seeded(seed, () => Build(name, channels, height, width, classes));

    /// <summary>
    /// Runs <paramref name="make"/> right after seeding torch's process-wide generator with <paramref name="seed"/>,
    /// under the one lock every seeded construction takes: two threads seeding and drawing at once would interleave
    /// their draws and build different weights from the same seed.
    /// </summary>
    public static T Seeded<T>(long seed, Func<T> make)
    {
        TorchRuntime.EnsureInitialized();
        lock (SeedGate)
        {
            manual_seed(seed);
            return make();
        }
    }

    /// <summary>
    /// Builds a user-described architecture (<see cref="SequentialBuilder"/>) under the same seeding rule as the zoo.
    /// </summary>
    /// <exception cref="FlipGuardException">The description does not fit the input shape or class count.</exception>
    public static nn.Module<Tensor, Tensor> Create(ArchitectureDescription description, int channels, int height, int width, int classes, long seed = 0)
    {
        if (classes < 2) throw new FlipGuardException($"a classifier needs at least 2 classes, got {classes}");
        return Seeded(seed, () => SequentialBuilder.Build(description, channels, height, width, classes).Model);
    }

    private static nn.Module<Tensor, Tensor> Build(string name, int channels, int height, int width, int classes)
    {
        if (classes < 2) throw new FlipGuardException($"a classifier needs at least 2 classes, got {classes}");
        var architecture = All.FirstOrDefault(a => a.Name == name) ?? throw new FlipGuardException(
            $"unknown model '{name}'; choose one of: {string.Join(", ", Architectures.Select(a => a.Name))}");
        if (height != width && architecture.SquareInput) throw new FlipGuardException($"{name} needs square images, got {height}×{width}");
        return architecture.Build(new ZooInput(channels, height, width, classes));
    }

    /// <summary>Number of trainable parameters (the values a bit-flip sweep can corrupt).</summary>
    public static long ParameterCount(nn.Module module) => module.parameters().Sum(p => p.numel());
}

/// <summary>The input a zoo architecture is built for: image channels and size, and the number of classes.</summary>
public readonly record struct ZooInput(int Channels, int Height, int Width, int Classes);

/// <summary>One entry of <see cref="ModelZoo.All"/>.</summary>
/// <param name="Name">The name users type (<c>--model lenet5</c>) and checkpoints record.</param>
/// <param name="Description">One line for <c>flipguard models</c>.</param>
/// <param name="SquareInput">Whether the architecture needs square images (convolutional stages sized from one side).</param>
/// <param name="Build">Builds a freshly initialised model (called under <see cref="ModelZoo"/>'s seed lock).</param>
public sealed record ZooArchitecture(string Name, string Description, bool SquareInput, Func<ZooInput, nn.Module<Tensor, Tensor>> Build);
