using System.IO.Compression;
using FlipGuard.Core;

namespace FlipGuard.Data.Formats;

/// <summary>
/// Opens data files that may or may not be gzip-compressed, deciding by the gzip magic bytes rather than the
/// file name, because downloaded and hand-unpacked copies are often misnamed.
/// </summary>
internal static class GzipFile
{
    /// <summary>True when <paramref name="header"/> starts with the gzip magic 1F 8B.</summary>
    public static bool HasGzipMagic(ReadOnlySpan<byte> header) => header.Length >= 2 && header[0] == 0x1F && header[1] == 0x8B;

    /// <summary>
    /// Reads the whole file, decompressed if it is gzip, refusing content longer than <paramref name="maxBytes"/>
    /// before it is held in memory (a 10 MB gzip bomb once inflated to 4.8 GB before failing); any I/O or format
    /// failure becomes a one-line FlipGuardException.
    /// </summary>
    public static byte[] ReadAllBytes(string path, long maxBytes)
    {
        RequireFile(path);
        try
        {
            using Stream file = File.OpenRead(path);
            Span<byte> magic = stackalloc byte[2];
            int got = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
            file.Position = 0;
            if (!HasGzipMagic(magic[..got]))
            {
                if (file.Length > maxBytes) throw TooLong(path, maxBytes);
                byte[] raw = new byte[file.Length];
                file.ReadExactly(raw);
                return raw;
            }
            using var gz = new GZipStream(file, CompressionMode.Decompress);
            using var output = new MemoryStream();
            byte[] chunk = new byte[1 << 16];
            int n;
            while ((n = gz.Read(chunk)) > 0)
            {
                if (output.Length + n > maxBytes) throw TooLong(path, maxBytes);
                output.Write(chunk, 0, n);
            }
            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new FlipGuardException($"{path}: corrupt gzip data ({e.Message})");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FlipGuardException($"{path}: cannot read ({e.Message})");
        }
    }

    private static FlipGuardException TooLong(string path, long maxBytes) =>
        new($"{path}: holds more than the {maxBytes:N0} bytes its header allows (damaged, or a decompression bomb)");

    /// <summary>Reads up to <paramref name="count"/> leading (decompressed) bytes, for cheap header inspection.</summary>
    public static byte[] ReadPrefix(string path, int count)
    {
        RequireFile(path);
        try
        {
            using Stream file = File.OpenRead(path);
            Span<byte> magic = stackalloc byte[2];
            int got = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
            file.Position = 0;
            using Stream source = HasGzipMagic(magic[..got]) ? new GZipStream(file, CompressionMode.Decompress) : file;
            byte[] buffer = new byte[count];
            int n = source.ReadAtLeast(buffer, count, throwOnEndOfStream: false);
            return buffer[..n];
        }
        catch (InvalidDataException e)
        {
            throw new FlipGuardException($"{path}: corrupt gzip data ({e.Message})");
        }
        catch (IOException e)
        {
            throw new FlipGuardException($"{path}: cannot read ({e.Message})");
        }
    }

    /// <summary>Throws the standard one-line error when <paramref name="path"/> is not an existing file.</summary>
    public static void RequireFile(string path)
    {
        if (!File.Exists(path)) throw new FlipGuardException($"{path}: file not found");
    }
}
