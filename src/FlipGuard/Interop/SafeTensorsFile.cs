using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FlipGuard.Core;

namespace FlipGuard.Interop;

/// <summary>
/// The safetensors format: an 8-byte little-endian header length, a JSON header (name → dtype, shape, byte range;
/// optional string metadata) and the raw bytes. Simple and unable to carry code, it is the safest way to hand
/// weights between PyTorch and FlipGuard; FlipGuard stores its model description in the metadata.
/// </summary>
public static class SafeTensorsFile
{
    private const long MaxHeaderBytes = 100L << 20;

    /// <summary>The tensors (in byte order) and the string metadata of a safetensors file.</summary>
    /// <exception cref="FlipGuardException">Missing, truncated or malformed file, or an unsupported element type.</exception>
    public static (IReadOnlyList<StoredTensor> Tensors, IReadOnlyDictionary<string, string> Metadata) Read(string path)
    {
        if (!File.Exists(path)) throw new FlipGuardException($"{path}: file not found");
        long fileLength = new FileInfo(path).Length;
        if (fileLength > Array.MaxLength)
            throw new FlipGuardException($"{path}: {fileLength:N0} bytes; FlipGuard reads safetensors files of up to {Array.MaxLength:N0} bytes");
        byte[] file = File.ReadAllBytes(path);
        if (file.Length < 8) throw new FlipGuardException($"{path}: not a safetensors file (too short)");
        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(file);
        if (headerLength <= 0 || headerLength > MaxHeaderBytes || 8 + headerLength > file.Length)
            throw new FlipGuardException($"{path}: not a safetensors file (bad header length)");
        JsonObject header;
        try { header = JsonNode.Parse(file.AsSpan(8, (int)headerLength))?.AsObject() ?? throw new JsonException("empty"); }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new FlipGuardException($"{path}: not a safetensors file (header is not a JSON object)");
        }
        long dataStart = 8 + headerLength;
        var metadata = new Dictionary<string, string>();
        var tensors = new List<(long Begin, StoredTensor Tensor)>();
        // JsonObject builds its dictionary lazily: duplicate keys and invalid UTF-8 surface while it is walked.
        try
        {
            foreach (var (name, node) in header)
            {
                if (name == "__metadata__")
                {
                    if (node is not JsonObject m) throw new FlipGuardException($"{path}: __metadata__ is not a JSON object of strings");
                    foreach (var (k, v) in m)
                        metadata[k] = v is JsonValue value && value.TryGetValue(out string? text) ? text
                            : v is null ? "" : throw new FlipGuardException($"{path}: __metadata__ entry '{k}' is not a string");
                    continue;
                }
                try
                {
                    var o = node!.AsObject();
                    var dtype = ParseDType(o["dtype"]!.GetValue<string>(), name, path);
                    long[] shape = o["shape"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
                    long[] range = o["data_offsets"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
                    if (shape.Any(d => d < 0) || shape.Length > 16 || range.Length != 2)
                        throw new FlipGuardException($"{path}: tensor {name}'s shape or byte range is malformed");
                    long count = shape.Aggregate(1L, (a, b) => checked(a * b));
                    if (range[0] < 0 || range[1] < range[0] || range[1] > file.Length - dataStart || range[1] - range[0] != checked(count * dtype.Size()))
                        throw new FlipGuardException($"{path}: tensor {name}'s byte range does not match its shape or the file size");
                    tensors.Add((range[0], new StoredTensor(name, dtype, shape, file.AsSpan((int)(dataStart + range[0]), (int)(range[1] - range[0])).ToArray())));
                }
                catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException or OverflowException)
                {
                    throw new FlipGuardException($"{path}: tensor {name} has a malformed header entry");
                }
            }
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or JsonException or FormatException)
        {
            throw new FlipGuardException($"{path}: not a safetensors file (malformed header: {e.Message.Split('\n')[0]})");
        }
        return (tensors.OrderBy(t => t.Begin).Select(t => t.Tensor).ToList(), metadata);
    }

    /// <summary>Writes <paramref name="tensors"/> in order, with optional string <paramref name="metadata"/>.</summary>
    public static void Write(string path, IReadOnlyList<StoredTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var m = new JsonObject();
            foreach (var (k, v) in metadata) m[k] = v;
            header["__metadata__"] = m;
        }
        long offset = 0;
        foreach (var t in tensors)
        {
            header[t.Name] = new JsonObject
            {
                ["dtype"] = DTypeCode(t.DType),
                ["shape"] = new JsonArray(t.Shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + t.Data.LongLength),
            };
            offset += t.Data.LongLength;
        }
        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) / 8 * 8;
        AtomicFile.Write(path, fs =>
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(len, padded);
            fs.Write(len);
            fs.Write(json);
            for (int i = json.Length; i < padded; i++) fs.WriteByte((byte)' ');
            foreach (var t in tensors) fs.Write(t.Data);
        }, createFolder: true);
    }

    private static string DTypeCode(TensorDType t) => t switch
    {
        TensorDType.Float32 => "F32",
        TensorDType.Float64 => "F64",
        TensorDType.Float16 => "F16",
        TensorDType.BFloat16 => "BF16",
        TensorDType.Int64 => "I64",
        TensorDType.Int32 => "I32",
        TensorDType.Int8 => "I8",
        _ => "U8",
    };

    private static TensorDType ParseDType(string code, string name, string path) => code switch
    {
        "F32" => TensorDType.Float32,
        "F64" => TensorDType.Float64,
        "F16" => TensorDType.Float16,
        "BF16" => TensorDType.BFloat16,
        "I64" => TensorDType.Int64,
        "I32" => TensorDType.Int32,
        "I8" => TensorDType.Int8,
        "U8" => TensorDType.UInt8,
        _ => throw new FlipGuardException($"{path}: tensor {name} has element type {code}, which FlipGuard does not read"),
    };
}
