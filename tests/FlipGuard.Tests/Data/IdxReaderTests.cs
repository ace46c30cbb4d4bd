using System.IO.Compression;
using FlipGuard.Core;
using FlipGuard.Data;
using FlipGuard.Data.Formats;

namespace FlipGuard.Tests.Data;

public class IdxReaderTests
{
    [Theory]
    [InlineData(true, "images.idx.gz", "labels.idx.gz")]
    [InlineData(false, "images.idx", "labels.idx")]
    [InlineData(true, "images-misnamed", "labels-misnamed")] // gzip found by magic bytes, not by name
    public void RoundTripsThroughWriter(bool gzip, string imagesName, string labelsName)
    {
        using var dir = new TempDirectory();
        RawImageSet set = SampleSets.Grey(7);
        IdxWriter.WriteImages(dir.File(imagesName), set, gzip);
        IdxWriter.WriteLabels(dir.File(labelsName), set, gzip);

        RawImageSet back = IdxReader.Read(dir.File(imagesName), dir.File(labelsName));

        Assert.Equal(set.Shape, back.Shape);
        Assert.Equal(set.Pixels, back.Pixels);
        Assert.Equal(set.Labels, back.Labels);
        Assert.Equal(7, IdxReader.ReadCount(dir.File(imagesName)));
        Assert.Equal(7, IdxReader.ReadCount(dir.File(labelsName)));
    }

    [Fact]
    public void RoundTripsColourImages()
    {
        using var dir = new TempDirectory();
        RawImageSet set = SampleSets.Make(3, new ImageShape(3, 4, 5));
        IdxWriter.WriteImages(dir.File("i"), set, gzip: false);
        var (shape, count, pixels) = IdxReader.ReadImages(dir.File("i"));
        Assert.Equal((set.Shape, 3), (shape, count));
        Assert.Equal(set.Pixels, pixels);
    }

    [Theory]
    [InlineData(new[] { 1, 65536, 65536 }, "pixels (each side")] // 4 GiB per image: PixelCount once overflowed int
    [InlineData(new[] { 2_000_000_000, 28, 28 }, "more than the")] // 1.5 TB declared: refused before reading
    [InlineData(new[] { 5, 0, 28 }, "invalid IDX dimension 1")]
    [InlineData(new[] { -1, 28, 28 }, "invalid IDX dimension 0")]
    public void ImpossibleDimensionsAreRefusedBeforeAnyAllocation(int[] dims, string expected)
    {
        using var dir = new TempDirectory();
        IdxWriter.Write(dir.File("i"), IdxReader.ImagesMagic, dims, new byte[16], gzip: true);
        AssertOneLineNaming(Assert.Throws<FlipGuardException>(() => IdxReader.ReadImages(dir.File("i"))), expected);
    }

    [Fact]
    public void AGzipBombStopsAtWhatTheHeaderPromises()
    {
        using var dir = new TempDirectory();
        // A header for 2 images of 28×28 followed by 256 MB of zeros, compressed to a few hundred kilobytes.
        string path = dir.File("bomb.gz");
        using (var gz = new GZipStream(File.Create(path), CompressionLevel.SmallestSize))
        {
            IdxWriter.Write(dir.File("head"), IdxReader.ImagesMagic, [2, 28, 28], new byte[2 * 784], gzip: false);
            gz.Write(File.ReadAllBytes(dir.File("head")));
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 256; i++) gz.Write(zeros);
        }
        Assert.True(new FileInfo(path).Length < 2 << 20);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<FlipGuardException>(() => IdxReader.ReadImages(path));
        AssertOneLineNaming(e, "decompression bomb");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20, "the reader held more than 16 MB of a bomb");
    }

    [Fact]
    public void CompressedBytesAreReproducible()
    {
        byte[] data = SampleSets.Grey(5).Pixels;
        byte[] a = IdxWriter.Compress(data), b = IdxWriter.Compress(data);
        Assert.Equal(a, b);
        Assert.Equal(new byte[4], a[4..8]); // no time stamp
    }

    [Fact]
    public void MissingFileIsReported()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<FlipGuardException>(() => IdxReader.ReadImages(dir.File("nope")));
        AssertOneLineNaming(e, "nope");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void WrongMagicIsReported(bool gzip)
    {
        using var dir = new TempDirectory();
        IdxWriter.Write(dir.File("x"), 0x00000804 + 0x100, [2, 3, 3], new byte[18], gzip);
        var e = Assert.Throws<FlipGuardException>(() => IdxReader.ReadImages(dir.File("x")));
        AssertOneLineNaming(e, "magic");
        IdxWriter.Write(dir.File("l"), IdxReader.ImagesMagic, [2, 3, 3], new byte[18], gzip);
        Assert.Throws<FlipGuardException>(() => IdxReader.ReadLabels(dir.File("l")));
    }

    [Fact]
    public void TruncatedPayloadIsReported()
    {
        using var dir = new TempDirectory();
        IdxWriter.Write(dir.File("x.gz"), IdxReader.ImagesMagic, [4, 28, 28], new byte[3 * 784 + 10], gzip: true);
        var e = Assert.Throws<FlipGuardException>(() => IdxReader.ReadImages(dir.File("x.gz")));
        AssertOneLineNaming(e, "truncated");
    }

    [Fact]
    public void TruncatedHeaderIsReported()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("x"), [0, 0, 8, 3, 0, 0]);
        AssertOneLineNaming(Assert.Throws<FlipGuardException>(() => IdxReader.ReadImages(dir.File("x"))), "truncated");
    }

    [Fact]
    public void CorruptGzipIsReported()
    {
        using var dir = new TempDirectory();
        RawImageSet set = SampleSets.Grey(3);
        IdxWriter.WriteImages(dir.File("x.gz"), set, gzip: true);
        byte[] bytes = File.ReadAllBytes(dir.File("x.gz"));
        for (int i = 12; i < bytes.Length - 8; i++) bytes[i] ^= 0x5A; // scramble the deflate stream
        File.WriteAllBytes(dir.File("x.gz"), bytes);
        var e = Assert.Throws<FlipGuardException>(() => IdxReader.ReadImages(dir.File("x.gz")));
        Assert.Contains("x.gz", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void GzipCutShortIsReported()
    {
        using var dir = new TempDirectory();
        IdxWriter.WriteImages(dir.File("x.gz"), SampleSets.Grey(20), gzip: true);
        byte[] bytes = File.ReadAllBytes(dir.File("x.gz"));
        File.WriteAllBytes(dir.File("x.gz"), bytes[..(bytes.Length / 2)]);
        Assert.Throws<FlipGuardException>(() => IdxReader.ReadImages(dir.File("x.gz")));
    }

    [Fact]
    public void CountMismatchIsReported()
    {
        using var dir = new TempDirectory();
        IdxWriter.WriteImages(dir.File("i"), SampleSets.Grey(5), gzip: false);
        IdxWriter.WriteLabels(dir.File("l"), SampleSets.Grey(4), gzip: false);
        var e = Assert.Throws<FlipGuardException>(() => IdxReader.Read(dir.File("i"), dir.File("l")));
        AssertOneLineNaming(e, "4 labels");
    }

    [Fact]
    public void LabelOutOfRangeIsReported()
    {
        using var dir = new TempDirectory();
        RawImageSet set = SampleSets.Grey(5);
        IdxWriter.WriteImages(dir.File("i"), set, gzip: false);
        IdxWriter.Write(dir.File("l"), IdxReader.LabelsMagic, [5], [0, 1, 2, 10, 3], gzip: false);
        var e = Assert.Throws<FlipGuardException>(() => IdxReader.Read(dir.File("i"), dir.File("l")));
        AssertOneLineNaming(e, "label 10");
    }

    [Fact]
    public void GzipStreamDecompressesToWriterInput()
    {
        using var dir = new TempDirectory();
        IdxWriter.WriteLabels(dir.File("l.gz"), SampleSets.Grey(3), gzip: true);
        using var gz = new GZipStream(File.OpenRead(dir.File("l.gz")), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        Assert.Equal(new byte[] { 0, 0, 8, 1, 0, 0, 0, 3, 0, 1, 2 }, ms.ToArray());
    }

    internal static void AssertOneLineNaming(FlipGuardException e, string fragment)
    {
        Assert.Contains(fragment, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
