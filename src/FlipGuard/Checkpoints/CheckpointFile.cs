using System.Buffers.Binary;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using FlipGuard.Core;
using static TorchSharp.torch;

namespace FlipGuard.Checkpoints;

/// <summary>
/// Reads and writes FlipGuard checkpoints: one file holding an 8-byte magic, a little-endian 32-bit header
/// length, a UTF-8 JSON header (<see cref="CheckpointMetadata"/>) and the raw little-endian tensor bytes.
/// The format is plain so other tools can read it; saving is atomic and loading verifies the weights' hash
/// and the architecture, because a silently corrupted checkpoint would poison every resilience figure.
/// </summary>
public static class CheckpointFile
{
    /// <summary>The layout version this build writes and reads.</summary>
    public const int CurrentFormatVersion = 1;
    private static readonly byte[] Magic = "FLIPGRD\u0001"u8.ToArray();
    private const int MaxHeaderBytes = 16 << 20;

    /// <summary>JSON options shared by checkpoint headers.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        WriteIndented = false,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>
    /// Writes <paramref name="model"/>'s state with <paramref name="metadata"/> to <paramref name="path"/>
    /// (through a temporary file and a rename) and returns the metadata as stored, hash and tensor list filled in.
    /// </summary>
    public static CheckpointMetadata Save(string path, nn.Module model, CheckpointMetadata metadata)
    {
        var state = model.state_dict();
        var entries = new List<TensorEntry>(state.Count);
        var blobs = new List<byte[]>(state.Count);
        long offset = 0;
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, t) in state)
        {
            using var cpu = t.detach().cpu().contiguous();
            byte[] bytes = cpu.bytes.ToArray();
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("big-endian hosts are not supported");
            entries.Add(new TensorEntry(name, DTypeName(cpu.dtype), cpu.shape, offset, bytes.LongLength));
            blobs.Add(bytes);
            sha.AppendData(bytes);
            offset += bytes.LongLength;
        }
        var stored = metadata with
        {
            FormatVersion = CurrentFormatVersion,
            FlipGuardVersion = Version,
            WeightsSha256 = Convert.ToHexStringLower(sha.GetHashAndReset()),
            Tensors = entries,
            CreatedUtc = metadata.CreatedUtc == default ? DateTimeOffset.UtcNow : metadata.CreatedUtc,
        };
        stored = stored with { HeaderSha256 = CheckpointHeaderCheck.HeaderHash(stored) };
        byte[] header = JsonSerializer.SerializeToUtf8Bytes(stored, JsonOptions);
        AtomicFile.Write(path, fs =>
        {
            fs.Write(Magic);
            Span<byte> len = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(len, header.Length);
            fs.Write(len);
            fs.Write(header);
            foreach (byte[] b in blobs) fs.Write(b);
        }, createFolder: true);
        return stored;
    }

    /// <summary>Reads only the header (cheap), checking the magic, version and that the file is complete.</summary>
    /// <exception cref="FlipGuardException">Missing, truncated, corrupt or foreign file.</exception>
    public static CheckpointMetadata ReadMetadata(string path) => ReadHeader(path, out _);

    /// <summary>
    /// Loads a checkpoint into a freshly built model of the architecture it names, after checking the weights'
    /// SHA-256 and that every tensor's name and shape match the architecture.
    /// </summary>
    /// <exception cref="FlipGuardException">Any mismatch, with the first offending tensor named.</exception>
    public static (CheckpointMetadata Metadata, nn.Module<Tensor, Tensor> Model) Load(string path)
    {
        TorchRuntime.EnsureInitialized();
        var meta = ReadHeader(path, out long dataStart);
        long total = meta.Tensors.Sum(t => t.Length);
        if (total > Array.MaxLength)
            throw new FlipGuardException($"{path}: the weights take {total:N0} bytes; this build loads checkpoints of up to {Array.MaxLength:N0} bytes");
        byte[] data = new byte[total];
        using (var fs = File.OpenRead(path))
        {
            fs.Seek(dataStart, SeekOrigin.Begin);
            fs.ReadExactly(data);
        }
        string hash = Convert.ToHexStringLower(SHA256.HashData(data));
        if (hash != meta.WeightsSha256)
            throw new FlipGuardException($"{path}: the weights' SHA-256 does not match the header (file corrupt or modified)");
        var model = meta.Model.Create();
        var state = model.state_dict();
        var unknown = meta.Tensors.Select(t => t.Name).Except(state.Keys).ToList();
        var missing = state.Keys.Except(meta.Tensors.Select(t => t.Name)).ToList();
        if (unknown.Count > 0 || missing.Count > 0)
            throw new FlipGuardException($"{path}: tensors do not match architecture {meta.Model.Architecture}" +
                (missing.Count > 0 ? $"; missing {string.Join(", ", missing.Take(3))}" : "") +
                (unknown.Count > 0 ? $"; unexpected {string.Join(", ", unknown.Take(3))}" : ""));
        using (no_grad())
        {
            foreach (var e in meta.Tensors)
            {
                var target = state[e.Name];
                if (!target.shape.SequenceEqual(e.Shape) || DTypeName(target.dtype) != e.DType)
                    throw new FlipGuardException($"{path}: tensor {e.Name} is {e.DType}[{string.Join(",", e.Shape)}] but {meta.Model.Architecture} needs {DTypeName(target.dtype)}[{string.Join(",", target.shape)}]");
                target.bytes = data.AsSpan((int)e.Offset, (int)e.Length);
            }
        }
        return (meta, model);
    }

    private static CheckpointMetadata ReadHeader(string path, out long dataStart)
    {
        if (!File.Exists(path)) throw new FlipGuardException($"{path}: checkpoint not found");
        using var fs = File.OpenRead(path);
        Span<byte> head = stackalloc byte[12];
        int got = fs.ReadAtLeast(head, 12, throwOnEndOfStream: false);
        if (!head[..Math.Min(got, 8)].SequenceEqual(Magic.AsSpan(0, Math.Min(got, 8))) || got == 0)
            throw new FlipGuardException($"{path}: not a FlipGuard checkpoint (bad magic bytes)");
        if (got < 12) throw new FlipGuardException($"{path}: checkpoint is truncated ({got} bytes, shorter than its 12-byte preamble)");
        int headerLength = BinaryPrimitives.ReadInt32LittleEndian(head[8..]);
        if (headerLength <= 0 || headerLength > MaxHeaderBytes || 12L + headerLength > fs.Length)
            throw new FlipGuardException($"{path}: checkpoint header is corrupt or the file is truncated");
        byte[] header = new byte[headerLength];
        fs.ReadExactly(header);
        CheckpointMetadata? meta;
        try { meta = JsonSerializer.Deserialize<CheckpointMetadata>(header, JsonOptions); }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or ArgumentException or FormatException or OverflowException)
        { throw new FlipGuardException($"{path}: checkpoint header is not valid ({e.Message.Split('\n')[0]})"); }
        if (meta is null) throw new FlipGuardException($"{path}: checkpoint header is null");
        if (meta.FormatVersion != CurrentFormatVersion)
            throw new FlipGuardException($"{path}: checkpoint format {meta.FormatVersion} is not supported by this FlipGuard (reads format {CurrentFormatVersion})");
        CheckpointHeaderCheck.Validate(path, meta);
        if (meta.HeaderHashed && CheckpointHeaderCheck.HeaderHash(meta) != meta.HeaderSha256)
            throw new FlipGuardException($"{path}: the header's SHA-256 does not match its fields (normalisation, model or recipe modified, or the file is corrupt)");
        dataStart = 12L + headerLength;
        long expected = meta.Tensors.Sum(t => t.Length);
        if (fs.Length != dataStart + expected)
            throw new FlipGuardException($"{path}: checkpoint is {(fs.Length < dataStart + expected ? "truncated" : "longer than its header says")} ({fs.Length} bytes, expected {dataStart + expected})");
        return meta;
    }

    private static string DTypeName(ScalarType t) => t switch
    {
        ScalarType.Float32 => "float32",
        ScalarType.Float64 => "float64",
        ScalarType.Int64 => "int64",
        ScalarType.Int32 => "int32",
        ScalarType.Int8 => "int8",
        ScalarType.Byte => "uint8",
        _ => t.ToString().ToLowerInvariant(),
    };

    /// <summary>This build's version, as written into checkpoints.</summary>
    public static string Version { get; } =
        typeof(CheckpointFile).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}
