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

    /// <summary>Largest image side any reader or header may declare (pixels); far beyond any dataset FlipGuard reads.</summary>
    public const int MaxSide = 8192;
    /// <summary>Largest channel count any reader or header may declare.</summary>
    public const int MaxChannels = 1024;
    /// <summary>
    /// Largest number of values in one image (channels × height × width): 524,288, e.g. 3×418×418, above ImageNet's
    /// 3×224×224 and 3×384×384. It bounds every built-in model a header or dataset can ask for (the mlp's first layer, the
    /// one that grows with the input, stays under 160 M parameters), so a hostile header cannot make a model allocate gigabytes.
    /// </summary>
    public const int MaxValues = 1 << 19;

    /// <summary>
    /// What is wrong with an image size read from a file, a header or a flag, as a phrase ("the input is 0×28 pixels …"),
    /// or null when it is a size FlipGuard can hold; checked before anything of that size is allocated.
    /// </summary>
    public static string? Problem(long channels, long height, long width)
    {
        if (channels is < 1 or > MaxChannels) return $"the image has {channels} channels (1–{MaxChannels} allowed)";
        if (height is < 1 or > MaxSide || width is < 1 or > MaxSide) return $"the image is {height}×{width} pixels (each side 1–{MaxSide} allowed)";
        if (channels * height * width > MaxValues) return $"the image {channels}×{height}×{width} holds more than {MaxValues:N0} values";
        return null;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Channels}x{Height}x{Width}";
}
