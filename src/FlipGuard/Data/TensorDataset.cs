using FlipGuard.Core;
using static TorchSharp.torch;

namespace FlipGuard.Data;

/// <summary>
/// A dataset held as two torch tensors (normalised float32 images [N,C,H,W] and int64 labels [N]) so batches can
/// be cut out with <c>index_select</c> instead of being rebuilt from bytes every step.
/// </summary>
public sealed class TensorDataset : IDisposable
{
    /// <summary>Images, <c>(byte/255 - mean[c]) / std[c]</c>, shape [N,C,H,W], float32.</summary>
    public Tensor Images { get; }

    /// <summary>Class indices, shape [N], int64.</summary>
    public Tensor Labels { get; }

    /// <summary>Size of each image.</summary>
    public ImageShape Shape { get; }

    /// <summary>Number of classes the labels range over.</summary>
    public int ClassCount { get; }

    /// <summary>Number of samples held.</summary>
    public int Count { get; }

    /// <summary>Converts and normalises <paramref name="set"/>.</summary>
    /// <param name="set">The raw images and labels.</param>
    /// <param name="normalization">Per-channel statistics; its length must match the channel count.</param>
    /// <param name="limit">Keep only the first this-many samples (for quick runs); null keeps all.</param>
    /// <exception cref="ArgumentException">The statistics do not fit the images, or a standard deviation is not positive.</exception>
    public TensorDataset(RawImageSet set, Normalization normalization, int? limit = null)
    {
        int c = set.Shape.Channels;
        if (normalization.Mean.Length != c || normalization.Std.Length != c)
            throw new ArgumentException($"normalization has {normalization.Mean.Length} means and {normalization.Std.Length} stds for {c} channels", nameof(normalization));
        if (normalization.Std.Any(s => !(s > 0)))
            throw new ArgumentException("every standard deviation must be positive", nameof(normalization));
        ArgumentOutOfRangeException.ThrowIfNegative(limit ?? 0, nameof(limit));

        TorchRuntime.EnsureInitialized();
        Shape = set.Shape;
        ClassCount = set.ClassCount;
        Count = Math.Min(limit ?? set.Count, set.Count);
        int stride = set.Shape.PixelCount;
        using var scope = NewDisposeScope();
        var bytes = tensor(set.Pixels.AsSpan(0, Count * stride).ToArray(), [Count, c, Shape.Height, Shape.Width], ScalarType.Byte);
        var mean = tensor(normalization.Mean, [1, c, 1, 1]);
        var std = tensor(normalization.Std, [1, c, 1, 1]);
        Images = bytes.to_type(ScalarType.Float32).div_(255f).sub_(mean).div_(std).DetachFromDisposeScope();
        Labels = tensor(set.Labels.AsSpan(0, Count).ToArray(), [Count], ScalarType.Byte).to_type(ScalarType.Int64).DetachFromDisposeScope();
    }

    /// <summary>Releases the native tensor memory.</summary>
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
