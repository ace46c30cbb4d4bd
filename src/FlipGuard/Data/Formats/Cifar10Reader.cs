using System.Formats.Tar;
using System.IO.Compression;
using FlipGuard.Core;

namespace FlipGuard.Data.Formats;

/// <summary>
/// Reads CIFAR-10 in its binary distribution (records of one label byte and 3072 CHW pixel bytes) from the
/// unpacked <c>cifar-10-batches-bin</c> folder or straight from <c>cifar-10-binary.tar.gz</c>, so a download
/// need not be unpacked before use.
/// </summary>
public static class Cifar10Reader
{
    /// <summary>The size of one CIFAR-10 image.</summary>
    public static readonly ImageShape Shape = new(3, 32, 32);

    /// <summary>Bytes per record: one label, then the pixels.</summary>
    public const int RecordSize = 1 + 3 * 32 * 32;

    /// <summary>The largest batch file read (real batches hold 10,000 records, 30.7 MB), so an archive entry cannot ask for gigabytes.</summary>
    public const long MaxBatchBytes = 64L << 20;

    /// <summary>Name of the archive published by the dataset's authors.</summary>
    public const string ArchiveName = "cifar-10-binary.tar.gz";

    /// <summary>Name of the folder the archive unpacks to.</summary>
    public const string FolderName = "cifar-10-batches-bin";

    /// <summary>The five training batches, in the order they are concatenated.</summary>
    public static readonly IReadOnlyList<string> TrainFiles = [.. Enumerable.Range(1, 5).Select(i => $"data_batch_{i}.bin")];

    /// <summary>The test batch.</summary>
    public const string TestFile = "test_batch.bin";

    /// <summary>
    /// Reads the whole dataset from a <c>.tar.gz</c> archive, a folder holding the batch files, or a folder holding
    /// <see cref="FolderName"/> or <see cref="ArchiveName"/>.
    /// </summary>
    /// <exception cref="FlipGuardException">Nothing usable at <paramref name="path"/>, or a batch is missing or malformed.</exception>
    public static DatasetSplit Read(string path)
    {
        if (File.Exists(path)) return ReadArchive(path);
        string? batches = FindBatchFolder(path);
        if (batches is not null)
            return new DatasetSplit(
                Concat(TrainFiles.Select(f => ReadBatch(Path.Combine(batches, f))).ToList()),
                ReadBatch(Path.Combine(batches, TestFile)));
        string archive = Path.Combine(path, ArchiveName);
        if (File.Exists(archive)) return ReadArchive(archive);
        throw new FlipGuardException($"{path}: no CIFAR-10 data ({TestFile}, {FolderName}/ or {ArchiveName}) found");
    }

    /// <summary>The folder holding the batch files at or under <paramref name="dir"/>, or null.</summary>
    public static string? FindBatchFolder(string dir)
    {
        foreach (string candidate in new[] { dir, Path.Combine(dir, FolderName) })
            if (File.Exists(Path.Combine(candidate, TestFile)) || File.Exists(Path.Combine(candidate, TrainFiles[0])))
                return candidate;
        return null;
    }

    /// <summary>Reads one batch file.</summary>
    /// <exception cref="FlipGuardException">The file is missing, unreadable, or not a whole number of records.</exception>
    public static RawImageSet ReadBatch(string path)
    {
        GzipFile.RequireFile(path);
        byte[] data;
        long length = new FileInfo(path).Length;
        if (length > MaxBatchBytes)
            throw new FlipGuardException($"{path}: {length:N0} bytes; a CIFAR-10 batch is {10_000 * RecordSize:N0} (at most {MaxBatchBytes:N0} accepted)");
        try { data = File.ReadAllBytes(path); }
        catch (IOException e) { throw new FlipGuardException($"{path}: cannot read ({e.Message})"); }
        return Parse(path, data);
    }

    /// <summary>Reads all batches straight out of a gzip-compressed tar archive.</summary>
    /// <exception cref="FlipGuardException">The archive is corrupt or lacks a batch.</exception>
    public static DatasetSplit ReadArchive(string archivePath)
    {
        GzipFile.RequireFile(archivePath);
        var found = new Dictionary<string, RawImageSet>();
        try
        {
            using var gz = new GZipStream(File.OpenRead(archivePath), CompressionMode.Decompress);
            using var tar = new TarReader(gz);
            while (tar.GetNextEntry() is { } entry)
            {
                string name = Path.GetFileName(entry.Name);
                if (entry.DataStream is null || (name != TestFile && !TrainFiles.Contains(name))) continue;
                if (entry.Length > MaxBatchBytes)
                    throw new FlipGuardException($"{archivePath}: {entry.Name} declares {entry.Length:N0} bytes; a CIFAR-10 batch is {10_000 * RecordSize:N0} (at most {MaxBatchBytes:N0} accepted)");
                using var buffer = new MemoryStream();
                entry.DataStream.CopyTo(buffer);
                found[name] = Parse($"{archivePath}:{entry.Name}", buffer.ToArray());
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException or InvalidOperationException or ArgumentException or IOException)
        {
            throw new FlipGuardException($"{archivePath}: corrupt archive ({e.Message})");
        }
        string? missing = TrainFiles.Append(TestFile).FirstOrDefault(f => !found.ContainsKey(f));
        if (missing is not null) throw new FlipGuardException($"{archivePath}: archive lacks {missing}");
        return new DatasetSplit(Concat(TrainFiles.Select(f => found[f]).ToList()), found[TestFile]);
    }

    private static RawImageSet Parse(string source, byte[] data)
    {
        if (data.Length == 0 || data.Length % RecordSize != 0)
            throw new FlipGuardException($"{source}: size {data.Length} is not a positive multiple of the {RecordSize}-byte CIFAR-10 record");
        int n = data.Length / RecordSize, stride = Shape.PixelCount;
        var labels = new byte[n];
        var pixels = new byte[n * stride];
        for (int i = 0; i < n; i++)
        {
            labels[i] = data[i * RecordSize];
            if (labels[i] > 9) throw new FlipGuardException($"{source}: label {labels[i]} of record {i} is outside 0..9");
            data.AsSpan(i * RecordSize + 1, stride).CopyTo(pixels.AsSpan(i * stride));
        }
        return new RawImageSet(Shape, pixels, labels, 10);
    }

    private static RawImageSet Concat(IReadOnlyList<RawImageSet> parts)
    {
        var pixels = new byte[parts.Sum(p => p.Pixels.Length)];
        var labels = new byte[parts.Sum(p => p.Labels.Length)];
        int pixelAt = 0, labelAt = 0;
        foreach (RawImageSet part in parts)
        {
            part.Pixels.CopyTo(pixels, pixelAt);
            part.Labels.CopyTo(labels, labelAt);
            pixelAt += part.Pixels.Length;
            labelAt += part.Labels.Length;
        }
        return new RawImageSet(Shape, pixels, labels, 10);
    }
}
