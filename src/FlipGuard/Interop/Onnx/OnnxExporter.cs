using FlipGuard.Core;
using FlipGuard.Models;
using FlipGuard.Models.Described;

namespace FlipGuard.Interop.Onnx;

/// <summary>
/// Writes a model's inference graph as ONNX (opset 13): one node per described layer (Conv, Gemm, Relu, MaxPool,
/// AveragePool, GlobalAveragePool, BatchNormalization, Flatten, Add), the weights as initializers named exactly like
/// the state dict, and FlipGuard's model description in the metadata so the file can be imported back. Works for
/// every described architecture and for the zoo models that have a description (all but ResNet-20).
/// </summary>
public static class OnnxExporter
{
    /// <summary>The opset the graph is written for.</summary>
    public const int Opset = 13;

    /// <summary>Name of the graph's input (a float batch N×C×H×W).</summary>
    public const string InputName = "input";

    /// <summary>Name of the graph's output (N×classes logits).</summary>
    public const string OutputName = "logits";

    /// <summary>Writes the graph of <paramref name="spec"/> with the weights <paramref name="tensors"/> to <paramref name="path"/>.</summary>
    /// <exception cref="FlipGuardException">The architecture has no description (ResNet-20) or a weight is missing.</exception>
    public static void Write(string path, ModelSpec spec, IReadOnlyList<StoredTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var description = ZooDescriptions.For(spec)
            ?? throw new FlipGuardException($"ONNX export is not available for {spec.Architecture}: its layers are not expressible as a description (see 'flipguard models describe')");
        var weights = tensors.ToDictionary(t => t.Name);
        var graph = new GraphBuilder(weights);
        string x = InputName;
        long[] shape = [spec.Channels, spec.Height, spec.Width];
        x = graph.Stack(description.Layers, "", x, ref shape);
        graph.Node("Identity", [x], OutputName, "output");
        var g = new ProtoWriter();
        foreach (var node in graph.Nodes) g.Message(1, node);
        g.String(2, description.Name);
        foreach (var init in graph.Initializers) g.Message(5, init);
        g.Message(11, ValueInfo(InputName, new object[] { "batch", (long)spec.Channels, (long)spec.Height, (long)spec.Width }));
        g.Message(12, ValueInfo(OutputName, new object[] { "batch", (long)spec.Classes }));
        var model = new ProtoWriter()
            .Varint(1, 8)
            .String(2, "FlipGuard")
            .String(3, Checkpoints.CheckpointFile.Version)
            .Message(7, g)
            .Message(8, new ProtoWriter().String(1, "").Varint(2, Opset));
        foreach (var (k, v) in metadata ?? new Dictionary<string, string>())
            model.Message(14, new ProtoWriter().String(1, k).String(2, v));
        byte[] bytes = model.ToArray();
        AtomicFile.Write(path, bytes, createFolder: true);
    }

    private static ProtoWriter ValueInfo(string name, object[] dims)
    {
        var shape = new ProtoWriter();
        foreach (var d in dims)
            shape.Message(1, d is string p ? new ProtoWriter().String(2, p) : new ProtoWriter().Varint(1, (long)d));
        var tensorType = new ProtoWriter().Varint(1, 1).Message(2, shape);
        return new ProtoWriter().String(1, name).Message(2, new ProtoWriter().Message(1, tensorType));
    }

    /// <summary>The ONNX element-type code of a FlipGuard element type.</summary>
    internal static int DataType(TensorDType t) => t switch
    {
        TensorDType.Float32 => 1,
        TensorDType.UInt8 => 2,
        TensorDType.Int8 => 3,
        TensorDType.Int32 => 6,
        TensorDType.Int64 => 7,
        TensorDType.Float16 => 10,
        TensorDType.Float64 => 11,
        _ => 16,
    };

    private sealed class GraphBuilder(IReadOnlyDictionary<string, StoredTensor> weights)
    {
        private int counter;
        public List<ProtoWriter> Nodes { get; } = [];
        public List<ProtoWriter> Initializers { get; } = [];

        public string Stack(IReadOnlyList<LayerDescription>? layers, string prefix, string x, ref long[] shape)
        {
            for (int i = 0; i < layers!.Count; i++)
            {
                var l = layers[i];
                string path = prefix + (l.Name ?? i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                x = Layer(l, path, x, ref shape);
            }
            return x;
        }

        private string Layer(LayerDescription l, string path, string x, ref long[] shape)
        {
            switch (l.Type)
            {
                case "sequential":
                    return Stack(l.Layers, path + ".", x, ref shape);
                case "residual":
                    string body = Stack(l.Layers, path + ".", x, ref shape);
                    return Node("Add", [body, x], null, path);
                case "conv":
                {
                    int k = l.Kernel!.Value, s = l.Stride ?? 1, p = l.Padding ?? 0;
                    var inputs = new List<string> { x, Weight(path + ".weight") };
                    if (l.Bias ?? true) inputs.Add(Weight(path + ".bias"));
                    shape = [l.Out!.Value, (shape[1] + 2 * p - k) / s + 1, (shape[2] + 2 * p - k) / s + 1];
                    return Node("Conv", inputs, null, path, Ints("kernel_shape", k, k), Ints("strides", s, s), Ints("pads", p, p, p, p), Ints("dilations", 1, 1), Int("group", 1));
                }
                case "linear":
                {
                    var inputs = new List<string> { x, Weight(path + ".weight") };
                    if (l.Bias ?? true) inputs.Add(Weight(path + ".bias"));
                    shape = [l.Out!.Value];
                    return Node("Gemm", inputs, null, path, Int("transB", 1));
                }
                case "batchnorm":
                    return Node("BatchNormalization",
                        [x, Weight(path + ".weight"), Weight(path + ".bias"), Weight(path + ".running_mean"), Weight(path + ".running_var")],
                        null, path, Float("epsilon", (float)(l.Eps ?? 1e-5)));
                case "relu":
                    return Node("Relu", [x], null, path);
                case "flatten":
                    shape = [shape.Aggregate(1L, (a, b) => a * b)];
                    return Node("Flatten", [x], null, path, Int("axis", 1));
                case "global-avgpool":
                    shape = [shape[0], 1, 1];
                    return Node("GlobalAveragePool", [x], null, path);
                case "maxpool" or "avgpool":
                {
                    int k = l.Kernel!.Value, s = l.Stride ?? k, p = l.Padding ?? 0;
                    shape = [shape[0], (shape[1] + 2 * p - k) / s + 1, (shape[2] + 2 * p - k) / s + 1];
                    var attributes = new List<ProtoWriter> { Ints("kernel_shape", k, k), Ints("strides", s, s), Ints("pads", p, p, p, p) };
                    if (l.Type == "avgpool") attributes.Add(Int("count_include_pad", 1));
                    return Node(l.Type == "maxpool" ? "MaxPool" : "AveragePool", [x], null, path, [.. attributes]);
                }
                default:
                    throw new FlipGuardException($"ONNX export: layer {path} has type '{l.Type}', which has no ONNX equivalent here");
            }
        }

        public string Node(string op, IReadOnlyList<string> inputs, string? output, string path, params ProtoWriter[] attributes)
        {
            output ??= $"{path}.{op.ToLowerInvariant()}_{counter++}";
            var n = new ProtoWriter();
            foreach (string i in inputs) n.String(1, i);
            n.String(2, output).String(3, $"{path}/{op}").String(4, op);
            foreach (var a in attributes) n.Message(5, a);
            Nodes.Add(n);
            return output;
        }

        private string Weight(string name)
        {
            if (!weights.TryGetValue(name, out var t)) throw new FlipGuardException($"ONNX export: the weights have no tensor {name}");
            var init = new ProtoWriter();
            foreach (long d in t.Shape) init.Varint(1, d);
            init.Varint(2, DataType(t.DType)).String(8, name).Bytes(9, t.Data);
            Initializers.Add(init);
            return name;
        }

        private static ProtoWriter Int(string name, long v) => new ProtoWriter().String(1, name).Varint(3, v).Varint(20, 2);

        private static ProtoWriter Float(string name, float v) => new ProtoWriter().String(1, name).Float(2, v).Varint(20, 1);

        private static ProtoWriter Ints(string name, params long[] values)
        {
            var a = new ProtoWriter().String(1, name);
            foreach (long v in values) a.Varint(8, v);
            return a.Varint(20, 7);
        }
    }
}
