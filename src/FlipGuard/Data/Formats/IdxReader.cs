using System.Buffers.Binary;
using FlipGuard.Core;

namespace FlipGuard.Data.Formats;

/// <summary>
/// Reads IDX files (the MNIST / Fashion-MNIST container: big-endian magic, dimension sizes, then unsigned bytes),
/// raw or gzip-compressed, and refuses anything whose header and payload disagree so a damaged download fails
/// loudly instead of training on garbage.
/// </summary>
public static class IdxReader
{
    /// <summary>Magic of an N×H×W unsigned-byte image file.</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic of an N×C×H×W unsigned-byte image file (written by <see cref="IdxWriter"/> for colour sets).</summary>
    public const int ColorImagesMagic = 0x00000804;

    /// <summary>Magic of an N-long unsigned-byte label file.</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>The most (decompressed) bytes one IDX file may hold: the largest array .NET allocates.</summary>
    public const long MaxFileBytes = 0x7FFFFFC7;

    // Bytes read past what the header promises, so a little trailing garbage is named as such rather than as a bomb.
    private const int TrailingSlack = 1 << 16;

    /// <summary>Reads an image file into its shape, sample count and NCHW pixels.</summary>
    /// <exception cref="FlipGuardException">Missing file, wrong magic, bad dimensions, truncated or corrupt data.</exception>
    public static (ImageShape Shape, int Count, byte[] Pixels) ReadImages(string path)
    {
        byte[] head = GzipFile.ReadPrefix(path, 20);
        int magic = ReadMagic(path, head, ImagesMagic, ColorImagesMagic);
        int[] dims = ReadDims(path, head, magic & 0xFF);
        var (c, h, w) = dims.Length == 3 ? (1, dims[1], dims[2]) : (dims[1], dims[2], dims[3]);
        if (ImageShape.Problem(c, h, w) is { } problem) throw new FlipGuardException($"{path}: {problem}");
        var shape = new ImageShape(c, h, w);
        int offset = 4 + 4 * dims.Length;
        long payload = (long)dims[0] * shape.PixelCount;
        if (offset + payload > MaxFileBytes)
            throw new FlipGuardException($"{path}: declares {dims[0]:N0} images of {shape} ({payload:N0} bytes), more than the {MaxFileBytes:N0} bytes one IDX file may hold");
        byte[] data = GzipFile.ReadAllBytes(path, offset + payload + TrailingSlack);
        return (shape, dims[0], Payload(path, data, offset, payload));
    }

    /// <summary>Reads a label file.</summary>
    /// <exception cref="FlipGuardException">Missing file, wrong magic, truncated or corrupt data.</exception>
    public static byte[] ReadLabels(string path)
    {
        byte[] head = GzipFile.ReadPrefix(path, 8);
        ReadMagic(path, head, LabelsMagic, LabelsMagic);
        int[] dims = ReadDims(path, head, 1);
        byte[] data = GzipFile.ReadAllBytes(path, 8L + dims[0] + TrailingSlack);
        return Payload(path, data, 8, dims[0]);
    }

    /// <summary>Reads a matching image and label file pair into one set, checking counts and label range.</summary>
    /// <param name="imagesPath">IDX image file.</param>
    /// <param name="labelsPath">IDX label file with one label per image.</param>
    /// <param name="classCount">Labels must be below this.</param>
    /// <exception cref="FlipGuardException">Either file is bad, the counts differ, or a label is out of range.</exception>
    public static RawImageSet Read(string imagesPath, string labelsPath, int classCount = 10)
    {
        var (shape, count, pixels) = ReadImages(imagesPath);
        byte[] labels = ReadLabels(labelsPath);
        if (labels.Length != count)
            throw new FlipGuardException($"{labelsPath}: holds {labels.Length} labels but {imagesPath} holds {count} images");
        int bad = Array.FindIndex(labels, l => l >= classCount);
        if (bad >= 0)
            throw new FlipGuardException($"{labelsPath}: label {labels[bad]} at index {bad} is outside 0..{classCount - 1}");
        return new RawImageSet(shape, pixels, labels, classCount);
    }

    /// <summary>
    /// Reads only the sample count from the header (decompressing a few bytes at most), so listings stay cheap.
    /// </summary>
    /// <exception cref="FlipGuardException">Missing file, unreadable or not an IDX file.</exception>
    public static int ReadCount(string path)
    {
        byte[] head = GzipFile.ReadPrefix(path, 8);
        if (head.Length < 8) throw new FlipGuardException($"{path}: truncated IDX header ({head.Length} of 8 bytes)");
        int magic = BinaryPrimitives.ReadInt32BigEndian(head);
        if (magic is not (ImagesMagic or ColorImagesMagic or LabelsMagic))
            throw new FlipGuardException($"{path}: not an IDX file (magic 0x{magic:X8})");
        return BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(4));
    }

    private static int ReadMagic(string path, byte[] data, int expected, int alternative)
    {
        if (data.Length < 4) throw new FlipGuardException($"{path}: truncated IDX header ({data.Length} bytes)");
        int magic = BinaryPrimitives.ReadInt32BigEndian(data);
        if (magic != expected && magic != alternative)
            throw new FlipGuardException($"{path}: wrong IDX magic 0x{magic:X8} (expected 0x{expected:X8})");
        return magic;
    }

    private static int[] ReadDims(string path, byte[] data, int count)
    {
        if (data.Length < 4 + 4 * count)
            throw new FlipGuardException($"{path}: truncated IDX header ({data.Length} of {4 + 4 * count} bytes)");
        var dims = new int[count];
        for (int i = 0; i < count; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(4 + 4 * i));
            if (dims[i] < 0 || (i > 0 && dims[i] == 0))
                throw new FlipGuardException($"{path}: invalid IDX dimension {i} = {dims[i]}");
        }
        return dims;
    }

    private static byte[] Payload(string path, byte[] data, int offset, long expected)
    {
        long actual = data.Length - offset;
        if (actual < expected)
            throw new FlipGuardException($"{path}: truncated, header promises {expected} data bytes but only {actual} follow");
        if (actual > expected)
            throw new FlipGuardException($"{path}: {actual - expected} unexpected bytes after the {expected} the header promises");
        return data.AsSpan(offset).ToArray();
    }
}
