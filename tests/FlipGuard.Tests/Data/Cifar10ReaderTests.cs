using System.Formats.Tar;
using System.IO.Compression;
using FlipGuard.Core;
using FlipGuard.Data;
using FlipGuard.Data.Formats;

namespace FlipGuard.Tests.Data;

public class Cifar10ReaderTests
{
    private static byte[] Records(RawImageSet set)
    {
        var bytes = new byte[set.Count * Cifar10Reader.RecordSize];
        for (int i = 0; i < set.Count; i++)
        {
            bytes[i * Cifar10Reader.RecordSize] = set.Labels[i];
            set.Pixels.AsSpan(i * 3072, 3072).CopyTo(bytes.AsSpan(i * Cifar10Reader.RecordSize + 1));
        }
        return bytes;
    }

    private static (List<RawImageSet> Train, RawImageSet Test) WriteBatches(string dir)
    {
        var train = Enumerable.Range(0, 5).Select(i => SampleSets.Make(2 + i, Cifar10Reader.Shape, salt: i)).ToList();
        RawImageSet test = SampleSets.Make(3, Cifar10Reader.Shape, salt: 9);
        for (int i = 0; i < 5; i++) File.WriteAllBytes(Path.Combine(dir, Cifar10Reader.TrainFiles[i]), Records(train[i]));
        File.WriteAllBytes(Path.Combine(dir, Cifar10Reader.TestFile), Records(test));
        return (train, test);
    }

    private static void AssertMatches(List<RawImageSet> train, RawImageSet test, DatasetSplit split)
    {
        Assert.Equal(train.SelectMany(t => t.Pixels), split.Train.Pixels);
        Assert.Equal(train.SelectMany(t => t.Labels), split.Train.Labels);
        Assert.Equal(test.Pixels, split.Test.Pixels);
        Assert.Equal(test.Labels, split.Test.Labels);
        Assert.Equal(new ImageShape(3, 32, 32), split.Train.Shape);
        Assert.Equal(20, split.Train.Count);
    }

    [Fact]
    public void ReadsBatchFolderAndItsParent()
    {
        using var dir = new TempDirectory();
        string batches = dir.Sub(Cifar10Reader.FolderName);
        var (train, test) = WriteBatches(batches);
        AssertMatches(train, test, Cifar10Reader.Read(batches));
        AssertMatches(train, test, Cifar10Reader.Read(dir.Path));
    }

    [Fact]
    public void ReadsTarGzDirectly()
    {
        using var dir = new TempDirectory();
        string batches = dir.Sub(Cifar10Reader.FolderName);
        var (train, test) = WriteBatches(batches);
        string archive = dir.File(Cifar10Reader.ArchiveName);
        using (var gz = new GZipStream(File.Create(archive), CompressionLevel.Fastest))
            TarFile.CreateFromDirectory(batches, gz, includeBaseDirectory: true);
        Directory.Delete(batches, recursive: true);

        AssertMatches(train, test, Cifar10Reader.Read(archive));
        AssertMatches(train, test, Cifar10Reader.Read(dir.Path));
    }

    [Fact]
    public void SizeNotMultipleOfRecordIsReported()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("test_batch.bin"), new byte[Cifar10Reader.RecordSize + 5]);
        var e = Assert.Throws<FlipGuardException>(() => Cifar10Reader.ReadBatch(dir.File("test_batch.bin")));
        IdxReaderTests.AssertOneLineNaming(e, "test_batch.bin");
    }

    [Fact]
    public void MissingBatchIsReported()
    {
        using var dir = new TempDirectory();
        WriteBatches(dir.Path);
        File.Delete(dir.File("data_batch_3.bin"));
        IdxReaderTests.AssertOneLineNaming(Assert.Throws<FlipGuardException>(() => Cifar10Reader.Read(dir.Path)), "data_batch_3.bin");
    }

    [Fact]
    public void CorruptArchiveIsReported()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("c.tar.gz"), [0x1F, 0x8B, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        IdxReaderTests.AssertOneLineNaming(Assert.Throws<FlipGuardException>(() => Cifar10Reader.Read(dir.File("c.tar.gz"))), "c.tar.gz");
    }

    [Fact]
    public void EmptyFolderIsReported()
    {
        using var dir = new TempDirectory();
        Assert.Throws<FlipGuardException>(() => Cifar10Reader.Read(dir.Path));
    }
}
