using System.IO.Compression;
using System.Text;
using FlipGuard.Core;
using FlipGuard.Interop;
using FlipGuard.Interop.Onnx;
using FlipGuard.Interop.PyTorch;

namespace FlipGuard.Tests.Interop;

/// <summary>Files that are not plain state dicts are refused with one clear sentence, and no foreign code ever runs.</summary>
public class PickleSafetyTests
{
    [Fact]
    public void AnArbitraryPythonCallIsRefused()
    {
        using var dir = new TempDirectory();
        string path = dir.File("evil.pt");
        // GLOBAL os.system, ('echo hi',), REDUCE: the classic pickle that runs a shell command when Python unpickles it.
        byte[] pickle = [.. Bytes(0x80, 2), .. Ascii("cos\nsystem\n"), .. Str("echo hi"), .. Bytes(0x85), .. Ascii("R.")];
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        using (var s = zip.CreateEntry("archive/data.pkl").Open())
            s.Write(pickle);
        var e = Assert.Throws<FlipGuardException>(() => StateDictReader.Read(path));
        Assert.Contains("os.system", e.Message);
    }

    [Fact]
    public void LegacyAndForeignFilesGetSpecificMessages()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("legacy.pt"), [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc]);
        Assert.Contains("legacy", Assert.Throws<FlipGuardException>(() => StateDictReader.Read(dir.File("legacy.pt"))).Message);
        File.WriteAllText(dir.File("text.pt"), "hello");
        Assert.Contains("not a PyTorch file", Assert.Throws<FlipGuardException>(() => StateDictReader.Read(dir.File("text.pt"))).Message);
        File.WriteAllText(dir.File("text.safetensors"), "hello world, not safetensors");
        Assert.Contains("not a safetensors file", Assert.Throws<FlipGuardException>(() => SafeTensorsFile.Read(dir.File("text.safetensors"))).Message);
        File.WriteAllBytes(dir.File("bad.onnx"), [0x0a, 0xff, 0xff, 0xff, 0x7f]);
        Assert.Contains("ONNX", Assert.Throws<FlipGuardException>(() => OnnxWeightsReader.Read(dir.File("bad.onnx"))).Message);
    }

    [Fact]
    public void AStateDictInsideATrainingCheckpointDictIsFound()
    {
        // {"epoch": 3, "state_dict": OrderedDict(w=tensor[2])} as torch.save writes it.
        using var dir = new TempDirectory();
        var inner = new MemoryStream();
        foreach (byte[] part in new[]
        {
            Bytes(0x80, 2), Ascii("}("), Str("epoch"), Ascii("K"), Bytes(3), Str("state_dict"), Ascii("ccollections\nOrderedDict\n)R("), Str("w"),
            Ascii("ctorch._utils\n_rebuild_tensor_v2\n(("), Str("storage"), Ascii("ctorch\nFloatStorage\n"), Str("0"), Str("cpu"),
            Ascii("K"), Bytes(2), Ascii("tQK"), Bytes(0), Ascii("K"), Bytes(2, 0x85), Ascii("K"), Bytes(1, 0x85, 0x89),
            Ascii("ccollections\nOrderedDict\n)RtRuu."),
        })
            inner.Write(part);
        string path = dir.File("ckpt.pt");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            using (var s = zip.CreateEntry("ckpt/data.pkl").Open()) s.Write(inner.ToArray());
            using (var s = zip.CreateEntry("ckpt/data/0").Open()) s.Write(BitConverter.GetBytes(1.5f).Concat(BitConverter.GetBytes(-2f)).ToArray());
        }
        var t = Assert.Single(StateDictReader.Read(path));
        Assert.Equal("w", t.Name);
        Assert.Equal([1.5f, -2f], System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(t.Data).ToArray());
    }

    /// <summary>OrderedDict(w=tensor) over a one-float storage "0", with the size and stride tuples given as pickle bytes.</summary>
    private static string OneFloatStateDict(TempDirectory dir, byte[] sizeTuple, byte[] strideTuple, long declaredElements = 1)
    {
        var pickle = new MemoryStream();
        foreach (byte[] part in new[]
        {
            Bytes(0x80, 2), Ascii("ccollections\nOrderedDict\n)R("), Str("w"),
            Ascii("ctorch._utils\n_rebuild_tensor_v2\n(("), Str("storage"), Ascii("ctorch\nFloatStorage\n"), Str("0"), Str("cpu"),
            Ascii("J"), BitConverter.GetBytes((int)declaredElements), Ascii("tQK"), Bytes(0), sizeTuple, strideTuple, Bytes(0x89),
            Ascii("ccollections\nOrderedDict\n)RtRu."),
        })
            pickle.Write(part);
        string path = dir.File("w.pt");
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        using (var s = zip.CreateEntry("w/data.pkl").Open()) s.Write(pickle.ToArray());
        using (var s = zip.CreateEntry("w/data/0", CompressionLevel.NoCompression).Open()) s.Write(BitConverter.GetBytes(1.5f));
        return path;
    }

    private static byte[] Tuple1(int v) => [(byte)'J', .. BitConverter.GetBytes(v), 0x85];

    [Fact]
    public void AValidOneFloatStateDictReads() =>
        Assert.Equal([1L], Assert.Single(StateDictReader.Read(OneFloatStateDict(new TempDirectory(), Tuple1(1), Tuple1(1)))).Shape);

    [Theory]
    [InlineData(1_000_000_000, 0, "more than")] // stride 0 spreads the one float over 4 GB: refused before allocating
    [InlineData(2, 1, "reaches past the end")]
    [InlineData(-3, 1, "invalid shape")]
    public void AHostileShapeOrStrideIsRefusedBeforeAllocating(int size, int stride, string expected)
    {
        using var dir = new TempDirectory();
        string path = OneFloatStateDict(dir, Tuple1(size), Tuple1(stride));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<FlipGuardException>(() => StateDictReader.Read(path));
        Assert.Contains(expected, e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20, "allocated more than 16 MB for a hostile shape");
    }

    [Fact]
    public void AZipEntryDeclaringGigabytesIsRefusedWithoutAllocatingThem()
    {
        using var dir = new TempDirectory();
        string path = OneFloatStateDict(dir, Tuple1(1), Tuple1(1), declaredElements: 750_000_000);
        byte[] zip = File.ReadAllBytes(path);
        PatchUncompressedSize(zip, "w/data/0", 3_000_000_000u); // the central directory and the local header both say 3 GB
        File.WriteAllBytes(path, zip);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<FlipGuardException>(() => StateDictReader.Read(path));
        Assert.DoesNotContain('\n', e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20, "allocated more than 16 MB for a declared size");
    }

    /// <summary>Sets the uncompressed size of entry <paramref name="name"/> in its local header and its central-directory record.</summary>
    private static void PatchUncompressedSize(byte[] zip, string name, uint size)
    {
        byte[] n = Encoding.ASCII.GetBytes(name);
        int patched = 0;
        for (int i = 0; i + 46 < zip.Length; i++)
        {
            bool local = zip.AsSpan(i, 4).SequenceEqual(new byte[] { 0x50, 0x4b, 3, 4 }) && zip.AsSpan(i + 30, n.Length).SequenceEqual(n);
            bool central = zip.AsSpan(i, 4).SequenceEqual(new byte[] { 0x50, 0x4b, 1, 2 }) && zip.AsSpan(i + 46, n.Length).SequenceEqual(n);
            if (local) { BitConverter.TryWriteBytes(zip.AsSpan(i + 22), size); patched++; }
            if (central) { BitConverter.TryWriteBytes(zip.AsSpan(i + 24), size); patched++; }
        }
        Assert.Equal(2, patched);
    }

    [Theory]
    [InlineData("""{"__metadata__":{"a":5}}""", "not a string")]
    [InlineData("""{"__metadata__":"x"}""", "not a JSON object")]
    [InlineData("""{"w":{"dtype":"F32","shape":[1099511627776,1099511627776],"data_offsets":[0,4]}}""", "malformed")]
    [InlineData("""{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,9223372036854775807]}}""", "byte range")]
    [InlineData("""{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}""", "malformed")]
    [InlineData("""{"w":{"dtype":"F32","shape":"x","data_offsets":[0,4]}}""", "malformed")]
    [InlineData("""{"w":5}""", "malformed")]
    public void AHostileSafetensorsHeaderIsOneSentence(string header, string expected)
    {
        using var dir = new TempDirectory();
        byte[] json = Encoding.UTF8.GetBytes(header);
        string path = dir.File("h.safetensors");
        File.WriteAllBytes(path, [.. BitConverter.GetBytes((long)json.Length), .. json, .. new byte[4]]);
        var e = Assert.Throws<FlipGuardException>(() => SafeTensorsFile.Read(path));
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("""{"architecture":"mlp","channels":0,"height":28,"width":28,"classes":10}""", "0 channels")]
    [InlineData("""{"architecture":"mlp","channels":1,"height":28,"width":28,"classes":-4}""", "-4 classes")]
    [InlineData("""{"architecture":"mlp","channels":1,"height":99999999,"width":28,"classes":10}""", "pixels")]
    [InlineData("""[1,2]""", "malformed")]
    public void ImpossibleModelMetadataIsRefused(string spec, string expected)
    {
        var metadata = new Dictionary<string, string> { [InteropMetadata.ModelKey] = spec };
        Assert.Contains(expected, Assert.Throws<FlipGuardException>(() => InteropMetadata.Spec(metadata, "x.safetensors")).Message);
    }

    [Theory]
    [InlineData("""{"mean":[0.1],"std":[0]}""")]
    [InlineData("""{"mean":[0.1],"std":null}""")]
    [InlineData("""{"mean":[0.1,0.2],"std":[0.3]}""")]
    [InlineData("""{"mean":"x"}""")]
    public void ImpossibleNormalisationMetadataIsRefused(string normalization)
    {
        var metadata = new Dictionary<string, string> { [InteropMetadata.NormalizationKey] = normalization };
        Assert.Throws<FlipGuardException>(() => InteropMetadata.Normalization(metadata, "x.safetensors"));
    }

    private static byte[] Bytes(params byte[] b) => b;

    private static byte[] Ascii(string s) => Encoding.ASCII.GetBytes(s);

    /// <summary>BINUNICODE: 'X', 4-byte little-endian length, UTF-8 bytes.</summary>
    private static byte[] Str(string s) => [(byte)'X', .. BitConverter.GetBytes(Encoding.UTF8.GetByteCount(s)), .. Encoding.UTF8.GetBytes(s)];
}
