using FlipGuard.Core;
using static TorchSharp.torch;

namespace FlipGuard.Models.Described;

/// <summary>
/// Turns an <see cref="ArchitectureDescription"/> into a <see cref="DescribedNetwork"/> for a given input shape,
/// checking every layer against the shape that reaches it so a bad description fails with one sentence naming
/// the layer, not with a libtorch error in the middle of a sweep.
/// </summary>
public static class SequentialBuilder
{
    /// <summary>The layer types a description may use.</summary>
    public static IReadOnlyList<string> LayerTypes { get; } =
        ["conv", "linear", "relu", "maxpool", "avgpool", "global-avgpool", "batchnorm", "flatten", "residual", "sequential"];

    /// <summary>
    /// Builds the network for <paramref name="channels"/>×<paramref name="height"/>×<paramref name="width"/> inputs
    /// and <paramref name="classes"/> outputs (weights from torch's current generator), with a summary per layer.
    /// </summary>
    /// <exception cref="FlipGuardException">The description does not fit the input shape or the class count.</exception>
    public static (DescribedNetwork Model, IReadOnlyList<LayerSummary> Layers) Build(ArchitectureDescription description, int channels, int height, int width, int classes)
    {
        string arch = string.IsNullOrWhiteSpace(description.Name) ? "architecture" : $"architecture '{description.Name}'";
        if (string.IsNullOrWhiteSpace(description.Name)) throw new FlipGuardException($"{arch}: give it a \"name\"");
        var summary = new List<LayerSummary>();
        long[] shape = [channels, height, width];
        var children = BuildStack(arch, description.Layers, "", ref shape, summary);
        if (shape.Length != 1 || shape[0] != classes)
            throw new FlipGuardException($"{arch}: the last layer gives [{string.Join(",", shape)}] per sample but the data has {classes} classes (end with flatten and a linear layer with \"out\": {classes})");
        return (new DescribedNetwork(description.Name, children, residual: false), summary);
    }

    private static List<(string, nn.Module<Tensor, Tensor>)> BuildStack(string arch, IReadOnlyList<LayerDescription>? layers, string prefix, ref long[] shape, List<LayerSummary> summary)
    {
        if (layers is null || layers.Count == 0) throw new FlipGuardException($"{arch}: {(prefix == "" ? "it has" : $"block {prefix.TrimEnd('.')} has")} no layers");
        var children = new List<(string, nn.Module<Tensor, Tensor>)>();
        var names = new HashSet<string>();
        for (int i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            string name = layer.Name ?? i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            string path = prefix + name;
            string where = $"{arch}: layer {path} ({(layer.Type == "" ? "no type" : layer.Type)})";
            if (name.Length == 0 || name.Contains('.')) throw new FlipGuardException($"{where}: a name must be non-empty and contain no '.'");
            if (!names.Add(name)) throw new FlipGuardException($"{where}: another layer in the same block is already named '{name}'");
            var module = BuildLayer(arch, where, layer, path, ref shape, summary);
            children.Add((name, module));
        }
        return children;
    }

    private static nn.Module<Tensor, Tensor> BuildLayer(string arch, string where, LayerDescription layer, string path, ref long[] shape, List<LayerSummary> summary)
    {
        if (layer.Type is "residual" or "sequential")
        {
            long[] input = shape;
            int at = summary.Count;
            var children = BuildStack(arch, layer.Layers, path + ".", ref shape, summary);
            if (layer.Type == "residual" && !shape.SequenceEqual(input))
                throw new FlipGuardException($"{where}: its layers turn [{string.Join(",", input)}] into [{string.Join(",", shape)}], but a residual block must keep the shape");
            var block = new DescribedNetwork(path, children, layer.Type == "residual");
            summary.Insert(at, new LayerSummary(path, layer.Type, shape, 0));
            return block;
        }
        Forbid(where, layer.Layers is not null, "\"layers\"");
        CheckBudget(where, layer, shape, summary);
        var (module, output) = layer.Type switch
        {
            "conv" => Conv(where, layer, shape),
            "linear" => Linear(where, layer, shape),
            "batchnorm" => BatchNorm(where, layer, shape),
            "relu" => Plain(where, layer, nn.ReLU(), shape),
            "flatten" => Plain(where, layer, nn.Flatten(), [shape.Aggregate(1L, (a, b) => a * b)]),
            "global-avgpool" => Plain(where, layer, nn.AdaptiveAvgPool2d(1), [Image(where, shape)[0], 1, 1]),
            "maxpool" or "avgpool" => Pool(where, layer, shape),
            _ => throw new FlipGuardException($"{where}: unknown layer type; use one of {string.Join(", ", LayerTypes)}"),
        };
        if (output.Any(d => d < 1)) throw new FlipGuardException($"{where}: the input [{string.Join(",", shape)}] is too small (output [{string.Join(",", output)}])");
        shape = output;
        summary.Add(new LayerSummary(path, layer.Type, output, module.parameters().Sum(p => p.numel())));
        return module;
    }

    /// <summary>The most parameters a described network may have (1 GiB of float32), checked before each layer is allocated.</summary>
    public const long MaxParameters = 1L << 28;

    /// <summary>The most values one sample's activation may hold after a layer (1 GiB of float32 per sample).</summary>
    public const long MaxActivation = 1L << 28;

    private static void CheckBudget(string where, LayerDescription l, long[] shape, List<LayerSummary> summary)
    {
        if (shape.Aggregate(1.0, (a, d) => a * d) > MaxActivation)
            throw new FlipGuardException($"{where}: its input [{string.Join(",", shape)}] holds more than {MaxActivation:N0} values per sample");
        double outputs = Math.Max(0, l.Out ?? 0), kernel = Math.Max(0, l.Kernel ?? 0);
        double planned = l.Type switch
        {
            "conv" when shape.Length == 3 => outputs * shape[0] * kernel * kernel + outputs,
            "linear" when shape.Length == 1 => outputs * shape[0] + outputs,
            "batchnorm" when shape.Length > 0 => 4.0 * shape[0], // weight, bias and the two running statistics
            _ => 0,
        };
        double so = summary.Sum(x => (double)x.Parameters);
        if (so + planned > MaxParameters)
            throw new FlipGuardException($"{where}: would bring the network to {so + planned:N0} parameters, more than the {MaxParameters:N0} FlipGuard builds");
        if (l.Type == "conv" && shape.Length == 3 && (double)(l.Out ?? 0) * shape[1] * shape[2] > MaxActivation)
            throw new FlipGuardException($"{where}: its output would hold more than {MaxActivation:N0} values per sample");
    }

    private static (nn.Module<Tensor, Tensor>, long[]) Conv(string where, LayerDescription l, long[] shape)
    {
        var s = Image(where, shape);
        int k = Positive(where, l.Kernel, "kernel"), stride = l.Stride ?? 1, pad = l.Padding ?? 0, outC = Positive(where, l.Out, "out");
        CheckStride(where, stride, pad);
        Forbid(where, l.Eps is not null, "\"eps\"");
        var conv = nn.Conv2d(s[0], outC, k, stride: stride, padding: pad, bias: l.Bias ?? true);
        return (conv, [outC, Side(s[1], k, stride, pad), Side(s[2], k, stride, pad)]);
    }

    private static (nn.Module<Tensor, Tensor>, long[]) Linear(string where, LayerDescription l, long[] shape)
    {
        if (shape.Length != 1) throw new FlipGuardException($"{where}: needs a flat input but gets [{string.Join(",", shape)}]; add {{\"type\": \"flatten\"}} before it");
        Forbid(where, l.Kernel is not null || l.Stride is not null || l.Padding is not null || l.Eps is not null, "kernel, stride, padding or eps");
        int outF = Positive(where, l.Out, "out");
        return (nn.Linear(shape[0], outF, hasBias: l.Bias ?? true), [outF]);
    }

    private static (nn.Module<Tensor, Tensor>, long[]) BatchNorm(string where, LayerDescription l, long[] shape)
    {
        Forbid(where, l.Out is not null || l.Kernel is not null || l.Stride is not null || l.Padding is not null || l.Bias is not null, "out, kernel, stride, padding or bias");
        double eps = l.Eps ?? 1e-5;
        if (!(eps > 0)) throw new FlipGuardException($"{where}: eps must be positive, got {eps}");
        nn.Module<Tensor, Tensor> bn = shape.Length == 3 ? nn.BatchNorm2d(shape[0], eps: eps) : nn.BatchNorm1d(shape[0], eps: eps);
        return (bn, shape);
    }

    private static (nn.Module<Tensor, Tensor>, long[]) Pool(string where, LayerDescription l, long[] shape)
    {
        var s = Image(where, shape);
        Forbid(where, l.Out is not null || l.Bias is not null || l.Eps is not null, "out, bias or eps");
        int k = Positive(where, l.Kernel, "kernel"), stride = l.Stride ?? k, pad = l.Padding ?? 0;
        CheckStride(where, stride, pad);
        if (2 * pad > k) throw new FlipGuardException($"{where}: padding {pad} is more than half the kernel {k}");
        nn.Module<Tensor, Tensor> pool = l.Type == "maxpool" ? nn.MaxPool2d(k, stride, pad) : nn.AvgPool2d(k, stride, pad);
        return (pool, [s[0], Side(s[1], k, stride, pad), Side(s[2], k, stride, pad)]);
    }

    private static (nn.Module<Tensor, Tensor>, long[]) Plain(string where, LayerDescription l, nn.Module<Tensor, Tensor> module, long[] output)
    {
        Forbid(where, l.Out is not null || l.Kernel is not null || l.Stride is not null || l.Padding is not null || l.Bias is not null || l.Eps is not null, "settings");
        return (module, output);
    }

    private static long[] Image(string where, long[] shape) => shape.Length == 3 ? shape
        : throw new FlipGuardException($"{where}: needs an image input [channels,height,width] but gets [{string.Join(",", shape)}] (it must come before flatten)");

    /// <summary>Output side of a window sweep; 0 (too small) when the kernel does not fit even once.</summary>
    private static long Side(long size, int kernel, int stride, int pad) => size + 2 * pad < kernel ? 0 : (size + 2 * pad - kernel) / stride + 1;

    private static int Positive(string where, int? value, string field) => value is { } v && v > 0 ? v
        : throw new FlipGuardException($"{where}: needs a positive \"{field}\"{(value is null ? "" : $", got {value}")}");

    private static void CheckStride(string where, int stride, int pad)
    {
        if (stride < 1) throw new FlipGuardException($"{where}: stride must be at least 1, got {stride}");
        if (pad < 0) throw new FlipGuardException($"{where}: padding must be ≥ 0, got {pad}");
    }

    private static void Forbid(string where, bool present, string what)
    {
        if (present) throw new FlipGuardException($"{where}: this layer type takes no {what}");
    }
}

/// <summary>
/// One layer of a built described architecture, for <c>flipguard models describe</c> and validation messages:
/// its state-dict path, type, output shape (per sample) and number of trainable parameters.
/// </summary>
public sealed record LayerSummary(string Path, string Type, long[] OutputShape, long Parameters);
