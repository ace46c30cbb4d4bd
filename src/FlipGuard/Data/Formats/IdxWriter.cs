using System.Buffers.Binary;
using System.IO.Compression;
using FlipGuard.Core;

namespace FlipGuard.Data.Formats;

/// <summary>
/// Writes IDX image and label files, optionally gzip-compressed with a fixed header, so converted datasets
/// (and test fixtures) have reproducible bytes and can be checked by SHA-256.
/// </summary>
public static class IdxWriter
{
    /// <summary>Writes the images of <paramref name="set"/> (magic 0x803 for one channel, 0x804 otherwise).</summary>
    public static void WriteImages(string path, RawImageSet set, bool gzip)
    {
        ImageShape s = set.Shape;
        int[] dims = s.Channels == 1 ? [set.Count, s.Height, s.Width] : [set.Count, s.Channels, s.Height, s.Width];
        Write(path, s.Channels == 1 ? IdxReader.ImagesMagic : IdxReader.ColorImagesMagic, dims, set.Pixels, gzip);
    }

    /// <summary>Writes the labels of <paramref name="set"/>.</summary>
    public static void WriteLabels(string path, RawImageSet set, bool gzip) =>
        Write(path, IdxReader.LabelsMagic, [set.Count], set.Labels, gzip);

    /// <summary>Writes an arbitrary unsigned-byte IDX file; exposed so tests can build malformed headers.</summary>
    public static void Write(string path, int magic, int[] dims, ReadOnlySpan<byte> payload, bool gzip)
    {
        var raw = new byte[4 + 4 * dims.Length + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(raw, magic);
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(raw.AsSpan(4 + 4 * i), dims[i]);
        payload.CopyTo(raw.AsSpan(4 + 4 * dims.Length));
        AtomicFile.Write(path, gzip ? Compress(raw) : raw);
    }

    /// <summary>
    /// Gzips <paramref name="data"/> at maximum compression, zeroing the header's time stamp and setting its OS byte
    /// to "unknown" so the output depends only on the input and the runtime's deflate implementation.
    /// </summary>
    public static byte[] Compress(ReadOnlySpan<byte> data)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
            gz.Write(data);
        byte[] bytes = output.ToArray();
        bytes.AsSpan(4, 4).Clear(); // MTIME
        bytes[9] = 0xFF; // OS = unknown
        return bytes;
    }
}
