using System.IO.Compression;
using FlipGuard.Core;

namespace FlipGuard.Interop.PyTorch;

/// <summary>
/// Reads a PyTorch state dict saved with <c>torch.save(model.state_dict(), path)</c> (the zip format PyTorch has
/// written by default since 1.6: <c>data.pkl</c> plus one raw record per storage). A checkpoint dictionary that
/// holds the state dict under <c>state_dict</c> or <c>model_state_dict</c> is accepted too, since that is how
/// training scripts commonly save.
/// </summary>
public static class StateDictReader
{
    /// <summary>The tensors of the state dict, in the file's order, as contiguous copies.</summary>
    /// <exception cref="FlipGuardException">Not a zip state dict, or it holds something other than tensors.</exception>
    public static IReadOnlyList<StoredTensor> Read(string path)
    {
        if (!File.Exists(path)) throw new FlipGuardException($"{path}: file not found");
        using var fs = File.OpenRead(path);
        Span<byte> head = stackalloc byte[4];
        int got = fs.Read(head);
        fs.Position = 0;
        if (got < 4 || head[0] != (byte)'P' || head[1] != (byte)'K')
            throw new FlipGuardException(got >= 2 && head[0] == 0x80
                ? $"{path}: PyTorch's legacy (pre-1.6) format is not supported; load it in PyTorch and save it again with torch.save(model.state_dict(), path)"
                : $"{path}: not a PyTorch file (expected the zip archive torch.save writes)");
        ZipArchive? zip = null;
        IReadOnlyList<ZipArchiveEntry> entries;
        try
        {
            zip = new ZipArchive(fs, ZipArchiveMode.Read);
            entries = zip.Entries; // the central directory is parsed lazily: its damage surfaces here, not in the constructor
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or IOException)
        {
            zip?.Dispose();
            throw new FlipGuardException($"{path}: corrupt zip archive ({e.Message.Split('\n')[0]})");
        }
        using (zip)
        {
            var pkl = entries.FirstOrDefault(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) && e.FullName.Count(c => c == '/') == 1)
                ?? throw new FlipGuardException($"{path}: no data.pkl in the archive; is it a PyTorch state dict?");
            string prefix = pkl.FullName[..^"data.pkl".Length];
            if (zip.GetEntry(prefix + "constants.pkl") is not null)
                throw new FlipGuardException($"{path}: this is a TorchScript archive (torch.jit.save); save model.state_dict() with torch.save instead");
            if (pkl.Length > MaxPickleBytes)
                throw new FlipGuardException($"{path}: data.pkl declares {pkl.Length:N0} bytes; a state dict's pickle is far smaller (at most {MaxPickleBytes:N0} read)");
            var root = PickleReader.Read(ReadAll(pkl, path, fs.Length), path);
            var dict = StateDictOf(root, path);
            var tensors = new List<StoredTensor>(dict.Items.Count);
            var storages = new Dictionary<string, byte[]>();
            var budget = new TensorBudget(path);
            foreach (var (key, value) in dict.Items)
            {
                if (key is not string name) throw new FlipGuardException($"{path}: the state dict has a key that is not a string");
                if (value is not PickleTensor t)
                    throw new FlipGuardException($"{path}: entry '{name}' is not a tensor; FlipGuard reads state dicts of tensors only");
                if (!storages.TryGetValue(t.Storage.Key, out var bytes))
                {
                    var entry = zip.GetEntry(prefix + "data/" + t.Storage.Key)
                        ?? throw new FlipGuardException($"{path}: storage record data/{t.Storage.Key} of tensor {name} is missing");
                    budget.Take(entry.Length, $"storage record {entry.FullName}");
                    bytes = ReadAll(entry, path, fs.Length);
                    storages[t.Storage.Key] = bytes;
                }
                tensors.Add(StridedCopy.Gather(name, t, bytes, path, budget));
            }
            return tensors;
        }
    }

    private static PickleDict StateDictOf(object? root, string path)
    {
        if (root is not PickleDict dict) throw new FlipGuardException($"{path}: the pickle holds no dictionary; save a state dict with torch.save(model.state_dict(), path)");
        if (dict.Items.Count > 0 && dict.Items.All(kv => kv.Value is PickleTensor)) return dict;
        foreach (string wrapper in new[] { "state_dict", "model_state_dict", "model" })
            if (dict.Items.FirstOrDefault(kv => kv.Key as string == wrapper).Value is PickleDict inner && inner.Items.All(kv => kv.Value is PickleTensor))
                return inner;
        return dict;
    }

    private static byte[] ReadAll(ZipArchiveEntry entry, string path, long archiveLength)
    {
        // Deflate cannot expand more than about 1,032 to 1: a declared size beyond that is a lie, and must not be
        // allocated on trust (a 530-byte file once reached 1.4 GB of memory before its refusal).
        if (entry.CompressedLength < 0 || entry.CompressedLength > archiveLength || entry.Length < 0 || entry.Length > entry.CompressedLength * 1100L + 4096)
            throw new FlipGuardException($"{path}: record {entry.FullName} declares {entry.Length:N0} bytes from {entry.CompressedLength:N0} compressed (corrupt archive)");
        try
        {
            using var s = entry.Open();
            var buffer = new byte[entry.Length];
            s.ReadExactly(buffer);
            return buffer;
        }
        catch (InvalidDataException e) { throw new FlipGuardException($"{path}: corrupt record {entry.FullName} ({e.Message})"); }
        catch (EndOfStreamException) { throw new FlipGuardException($"{path}: truncated record {entry.FullName}"); }
    }

    /// <summary>The most bytes of data.pkl read: a state dict's pickle holds names and shapes, kilobytes to a few megabytes.</summary>
    public const long MaxPickleBytes = 64L << 20;
}
