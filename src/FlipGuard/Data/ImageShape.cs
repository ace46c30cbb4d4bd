namespace FlipGuard.Data;

/// <summary>
/// The size of one image, kept separate from the sample count so models can be built for a dataset
/// before any pixels are loaded.
/// </summary>
/// <param name="Channels">Colour planes (1 for grey, 3 for RGB).</param>
/// <param name="Height">Rows of pixels.</param>
/// <param name="Width">Columns of pixels.</param>
public sealed record ImageShape(int Channels, int Height, int Width)
{
    /// <summary>Bytes one image occupies in NCHW order; the stride between samples in <see cref="RawImageSet.Pixels"/>.</summary>
    public int PixelCount => Channels * Height * Width;

    /// <inheritdoc />
    public override string ToString() => $"{Channels}x{Height}x{Width}";
}
