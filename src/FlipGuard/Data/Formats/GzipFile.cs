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

    /// <summary>Reads the whole file, decompressed if it is gzip; any I/O or format failure becomes a one-line FlipGuardException.</summary>
    public static byte[] ReadAllBytes(string path)
    {
        RequireFile(path);
        byte[] raw = ReadOrThrow(path);
        if (!HasGzipMagic(raw)) return raw;
        try
        {
            using var gz = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
            using var output = new MemoryStream(raw.Length * 4);
            gz.CopyTo(output);
            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new FlipGuardException($"{path}: corrupt gzip data ({e.Message})");
        }
    }

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

    private static byte[] ReadOrThrow(string path)
    {
        try { return File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FlipGuardException($"{path}: cannot read ({e.Message})");
        }
    }
}
