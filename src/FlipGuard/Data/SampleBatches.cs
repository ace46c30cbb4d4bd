using static TorchSharp.torch;

namespace FlipGuard.Data;

/// <summary>
/// The first N samples of a split as consecutive batches (views, no copies): what every full-batch estimate over a
/// fixed sample — a Hessian, a Hessian diagonal — averages over, so they all cut the data the same way.
/// </summary>
public static class SampleBatches
{
    /// <summary>
    /// The first <paramref name="count"/> samples (0 = all; more than there are = all) in batches of
    /// <paramref name="batchSize"/>, the last one partial.
    /// </summary>
    public static List<(Tensor Images, Tensor Labels)> First(Tensor images, Tensor labels, int count, int batchSize)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "a batch holds at least one sample");
        long used = count > 0 ? Math.Min(count, images.shape[0]) : images.shape[0];
        var batches = new List<(Tensor, Tensor)>();
        for (long start = 0; start < used; start += batchSize)
        {
            long length = Math.Min(batchSize, used - start);
            batches.Add((images.narrow(0, start, length), labels.narrow(0, start, length)));
        }
        return batches;
    }
}
