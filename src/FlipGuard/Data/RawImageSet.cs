namespace FlipGuard.Data;

/// <summary>
/// Images and labels exactly as stored on disk (bytes, NCHW), so that every reader produces the same thing
/// and normalisation is decided later, in one place (<c>TensorDataset</c>).
/// </summary>
/// <param name="Shape">Size of each image.</param>
/// <param name="Pixels">N*C*H*W bytes in NCHW order.</param>
/// <param name="Labels">N class indices, each below <paramref name="ClassCount"/>.</param>
/// <param name="ClassCount">Number of classes the labels range over.</param>
public sealed record RawImageSet(ImageShape Shape, byte[] Pixels, byte[] Labels, int ClassCount)
{
    /// <summary>Number of samples.</summary>
    public int Count => Labels.Length;

    /// <summary>
    /// Copies samples [<paramref name="start"/>, <paramref name="start"/>+<paramref name="count"/>),
    /// used to split one file into train and test parts.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range falls outside the set.</exception>
    public RawImageSet Slice(int start, int count)
    {
        if (start < 0 || count < 0 || start + count > Count)
            throw new ArgumentOutOfRangeException(nameof(count), $"slice [{start}, {start + count}) is outside 0..{Count}");
        int stride = Shape.PixelCount;
        return new RawImageSet(
            Shape,
            Pixels.AsSpan(start * stride, count * stride).ToArray(),
            Labels.AsSpan(start, count).ToArray(),
            ClassCount);
    }
}
