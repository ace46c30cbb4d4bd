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

    private static byte[] Bytes(params byte[] b) => b;

    private static byte[] Ascii(string s) => Encoding.ASCII.GetBytes(s);

    /// <summary>BINUNICODE: 'X', 4-byte little-endian length, UTF-8 bytes.</summary>
    private static byte[] Str(string s) => [(byte)'X', .. BitConverter.GetBytes(Encoding.UTF8.GetByteCount(s)), .. Encoding.UTF8.GetBytes(s)];
}
