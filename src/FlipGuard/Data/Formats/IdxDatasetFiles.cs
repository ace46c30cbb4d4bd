using FlipGuard.Core;

namespace FlipGuard.Data.Formats;

/// <summary>
/// The four file names of an MNIST-style IDX dataset (shared by MNIST and Fashion-MNIST), with or without
/// <c>.gz</c>, known in one place so the catalog and the downloader agree.
/// </summary>
public static class IdxDatasetFiles
{
    /// <summary>Training images.</summary>
    public const string TrainImages = "train-images-idx3-ubyte";

    /// <summary>Training labels.</summary>
    public const string TrainLabels = "train-labels-idx1-ubyte";

    /// <summary>Test images.</summary>
    public const string TestImages = "t10k-images-idx3-ubyte";

    /// <summary>Test labels.</summary>
    public const string TestLabels = "t10k-labels-idx1-ubyte";

    /// <summary>All four, in download order.</summary>
    public static IReadOnlyList<string> All { get; } = [TrainImages, TrainLabels, TestImages, TestLabels];

    /// <summary>The path of <paramref name="baseName"/> in <paramref name="dir"/>, compressed or not, or null if neither exists.</summary>
    public static string? Find(string dir, string baseName)
    {
        string gz = Path.Combine(dir, baseName + ".gz"), raw = Path.Combine(dir, baseName);
        return File.Exists(gz) ? gz : File.Exists(raw) ? raw : null;
    }

    /// <summary>
    /// True when all four files are in <paramref name="dir"/>, false when none is.
    /// </summary>
    /// <exception cref="FlipGuardException">Only some are: a half-finished copy should be reported, not skipped.</exception>
    public static bool IsComplete(string dir)
    {
        var missing = All.Where(f => Find(dir, f) is null).ToList();
        if (missing.Count == 0) return true;
        if (missing.Count == All.Count) return false;
        throw new FlipGuardException($"{dir}: incomplete IDX dataset, missing {string.Join(", ", missing)}(.gz)");
    }

    /// <summary>Reads the train and test parts from a complete folder.</summary>
    public static DatasetSplit Read(string dir) => new(
        IdxReader.Read(Find(dir, TrainImages)!, Find(dir, TrainLabels)!),
        IdxReader.Read(Find(dir, TestImages)!, Find(dir, TestLabels)!));
}
