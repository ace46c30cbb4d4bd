using FlipGuard.Core;

namespace FlipGuard.Interop.Onnx;

/// <summary>
/// Reads the weights (graph initializers) and the metadata of an ONNX model, so a model exported from PyTorch or
/// from FlipGuard can be imported into a matching architecture. The graph itself is not interpreted: the
/// architecture comes from FlipGuard's description, and initializers are matched to it by name and shape.
/// </summary>
public static class OnnxWeightsReader
{
    /// <summary>Most dimensions an initializer may have.</summary>
    public const int MaxDimensions = 16;

    /// <summary>Most values of an <c>int64_data</c> field (16 M, 128 MB in memory): int64 initializers of vision models are counters and shapes.</summary>
    public const int MaxInt64Values = 1 << 24;

    /// <summary>The initializers (in file order) and the model's metadata properties.</summary>
    /// <exception cref="FlipGuardException">Missing or malformed file, external data, or an unsupported element type.</exception>
    public static (IReadOnlyList<StoredTensor> Tensors, IReadOnlyDictionary<string, string> Metadata) Read(string path)
    {
        if (!File.Exists(path)) throw new FlipGuardException($"{path}: file not found");
        long length = new FileInfo(path).Length;
        if (length > Array.MaxLength) throw new FlipGuardException($"{path}: {length:N0} bytes; FlipGuard reads ONNX files of up to {Array.MaxLength:N0} bytes");
        byte[] bytes = File.ReadAllBytes(path);
        var tensors = new List<StoredTensor>();
        var metadata = new Dictionary<string, string>();
        bool sawGraph = false;
        try
        {
            var model = new ProtoReader(bytes);
            while (model.Next())
            {
                if (model.Field == 7 && model.WireType == 2)
                {
                    sawGraph = true;
                    var graph = new ProtoReader(model.Bytes());
                    while (graph.Next())
                    {
                        if (graph.Field == 5 && graph.WireType == 2) tensors.Add(Tensor(graph.Bytes(), path));
                        else graph.Skip();
                    }
                }
                else if (model.Field == 14 && model.WireType == 2)
                {
                    var entry = new ProtoReader(model.Bytes());
                    string key = "", value = "";
                    while (entry.Next())
                    {
                        if (entry.Field == 1) key = entry.String();
                        else if (entry.Field == 2) value = entry.String();
                        else entry.Skip();
                    }
                    metadata[key] = value;
                }
                else model.Skip();
            }
        }
        catch (Exception e) when (e is FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException or OverflowException or ArgumentException)
        {
            throw new FlipGuardException($"{path}: not a valid ONNX model ({e.Message})");
        }
        if (!sawGraph) throw new FlipGuardException($"{path}: not an ONNX model (no graph)");
        return (tensors, metadata);
    }

    private static StoredTensor Tensor(ReadOnlySpan<byte> message, string path)
    {
        var r = new ProtoReader(message);
        var dims = new List<long>();
        var data = new List<byte>();
        var int64s = new List<long>();
        int type = 0;
        string name = "";
        byte[]? raw = null;
        while (r.Next())
        {
            switch (r.Field)
            {
                case 1: r.Int64s(dims, MaxDimensions); break;
                case 2: type = (int)r.Varint(); break;
                case 4: r.Fixed(data, 4); break;
                case 7: r.Int64s(int64s, MaxInt64Values); break; // varints grow 8-fold in memory: capped
                case 8: name = r.String(); break;
                case 9: raw = r.Bytes().ToArray(); break;
                case 10: r.Fixed(data, 8); break;
                case 14:
                    if (r.Varint() == 1) throw new FlipGuardException($"{path}: initializer {name} keeps its data in an external file, which FlipGuard does not read; save the model with its weights inside");
                    break;
                default: r.Skip(); break;
            }
        }
        var dtype = type switch
        {
            1 => TensorDType.Float32,
            11 => TensorDType.Float64,
            10 => TensorDType.Float16,
            16 => TensorDType.BFloat16,
            7 => TensorDType.Int64,
            6 => TensorDType.Int32,
            3 => TensorDType.Int8,
            2 => TensorDType.UInt8,
            _ => throw new FlipGuardException($"{path}: initializer {name} has ONNX element type {type}, which FlipGuard does not read"),
        };
        byte[] bytes = raw ?? (dtype == TensorDType.Int64 ? int64s.SelectMany(BitConverter.GetBytes).ToArray() : data.ToArray());
        if (dims.Any(d => d < 0)) throw new FlipGuardException($"{path}: initializer {name} has a negative dimension {StoredTensor.Format(dims)}");
        long count;
        try { count = checked(dims.Aggregate(1L, (a, b) => checked(a * b)) * dtype.Size()) / dtype.Size(); }
        catch (OverflowException) { throw new FlipGuardException($"{path}: initializer {name}'s shape {StoredTensor.Format(dims)} overflows"); }
        if (bytes.LongLength != count * dtype.Size())
            throw new FlipGuardException($"{path}: initializer {name} holds {bytes.LongLength} bytes, expected {count * dtype.Size()} for shape {StoredTensor.Format(dims)}");
        return new StoredTensor(name, dtype, dims.ToArray(), bytes);
    }
}
