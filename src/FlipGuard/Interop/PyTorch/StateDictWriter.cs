using System.IO.Compression;
using System.Text;
using FlipGuard.Core;

namespace FlipGuard.Interop.PyTorch;

/// <summary>
/// Writes tensors as a PyTorch state dict file (the zip format of <c>torch.save</c>), so a PyTorch user can
/// <c>model.load_state_dict(torch.load(path))</c> a FlipGuard model. The file is written to a temporary name and
/// renamed, like checkpoints.
/// </summary>
public static class StateDictWriter
{
    /// <summary>Writes <paramref name="tensors"/> in order to <paramref name="path"/>.</summary>
    public static void Write(string path, IReadOnlyList<StoredTensor> tensors)
    {
        AtomicFile.Write(path, fs =>
        {
            using var zip = new ZipArchive(fs, ZipArchiveMode.Create, leaveOpen: true);
            Add(zip, "archive/data.pkl", PickleWriter.StateDict(tensors));
            Add(zip, "archive/byteorder", "little"u8.ToArray());
            for (int i = 0; i < tensors.Count; i++) Add(zip, $"archive/data/{i}", tensors[i].Data);
            Add(zip, "archive/version", Encoding.ASCII.GetBytes("3\n"));
        }, createFolder: true);
    }

    private static void Add(ZipArchive zip, string name, byte[] bytes)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
        entry.LastWriteTime = new DateTimeOffset(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var s = entry.Open();
        s.Write(bytes);
    }
}
