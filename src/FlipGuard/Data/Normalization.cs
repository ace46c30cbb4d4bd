using FlipGuard.Core;
using FlipGuard.Data.Sources;

namespace FlipGuard.Data;

/// <summary>
/// Per-channel mean and standard deviation of pixel values in [0, 1]; inputs are standardised with the statistics
/// the models are conventionally trained with so that results are comparable with the literature.
/// </summary>
/// <param name="Mean">One mean per channel.</param>
/// <param name="Std">One positive standard deviation per channel.</param>
public sealed record Normalization(float[] Mean, float[] Std)
{
    /// <summary>MNIST training-set statistics (also used for the built-in 10k digits).</summary>
    public static Normalization Mnist { get; } = new([0.1307f], [0.3081f]);

    /// <summary>Fashion-MNIST training-set statistics.</summary>
    public static Normalization FashionMnist { get; } = new([0.2860f], [0.3530f]);

    /// <summary>CIFAR-10 training-set statistics, R, G, B.</summary>
    public static Normalization Cifar10 { get; } = new([0.4914f, 0.4822f, 0.4465f], [0.2470f, 0.2435f, 0.2616f]);

    /// <summary>Leaves pixels at byte/255, for callers that want unnormalised inputs.</summary>
    public static Normalization None(int channels) => new(new float[channels], Enumerable.Repeat(1f, channels).ToArray());

    /// <summary>The default statistics for a catalog name (see <see cref="DatasetCatalog.Names"/>).</summary>
    /// <exception cref="FlipGuardException">The name is not a known dataset.</exception>
    public static Normalization ForDataset(string name) => name switch
    {
        "mnist" or "mnist-10k" => Mnist,
        "fashion-mnist" => FashionMnist,
        "cifar10" => Cifar10,
        _ => throw new FlipGuardException($"unknown dataset '{name}' (known: {string.Join(", ", DatasetCatalog.Names)})"),
    };
}
