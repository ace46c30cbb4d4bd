using FlipGuard.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FlipGuard.Faults.Evaluation.Incremental;

/// <summary>What a layer of a <see cref="LayerStack"/> does to a perturbation passing through it.</summary>
internal enum StackStepKind
{
    /// <summary>Convolution: linear in its input (Δ → W∗Δ), mixes channels.</summary>
    Convolution,
    /// <summary>Batch norm in eval mode: a fixed per-channel affine map (Δ → scale·Δ).</summary>
    BatchNorm,
    /// <summary>Fully connected: linear in its input, mixes features.</summary>
    Linear,
    /// <summary>ReLU: needs the clean input (a unit can switch).</summary>
    Relu,
    /// <summary>Max-pooling: needs the clean input and output (the maximum can move).</summary>
    MaxPool,
    /// <summary>Average pooling (fixed window or adaptive): linear, per channel.</summary>
    AveragePool,
    /// <summary>flatten(1): reshapes a channel range into a feature range.</summary>
    Flatten,
    /// <summary>Dropout in eval mode: nothing happens.</summary>
    Identity,
    /// <summary>
    /// The end of a residual block: its main branch's output (this step's input) plus the block's input — the input of
    /// step <see cref="StackStep.SkipFrom"/> — through <see cref="StackStep.Shortcut"/> (identity when null). Linear.
    /// </summary>
    Residual,
}

/// <summary>One layer of a <see cref="LayerStack"/>, with the float64 copies of its constants the float64 pass uses.</summary>
internal sealed class StackStep
{
    public required StackStepKind Kind { get; init; }
    public required nn.Module<Tensor, Tensor> Module { get; init; }
    /// <summary>Convolution and linear: the weight in float64 (and its magnitude).</summary>
    public Tensor? Weight { get; init; }
    /// <summary>Convolution and linear: a float32 copy of the weight, for the float32 difference-form pass.</summary>
    public Tensor? Weight32 { get; init; }
    public Tensor? AbsWeight { get; init; }
    public Tensor? AbsBias { get; init; }
    /// <summary>Batch norm: γ/√(σ²+ε), the running mean, 1/√(σ²+ε) and |β|, per channel, float64.</summary>
    public Tensor? Scale { get; init; }
    /// <summary>Batch norm: <see cref="Scale"/> rounded to float32.</summary>
    public Tensor? Scale32 { get; init; }
    public Tensor? Mean { get; init; }
    public Tensor? InverseStd { get; init; }
    public long[] Stride { get; init; } = [1, 1];
    public long[] Padding { get; init; } = [0, 0];
    public long[] Dilation { get; init; } = [1, 1];
    /// <summary>Residual: the step whose input is the block's input (the first step of the main branch).</summary>
    public int SkipFrom { get; init; } = -1;
    /// <summary>Residual: the map applied to the block's input before the sum (null: the input itself).</summary>
    public SubsampleShortcut? Shortcut { get; init; }

    /// <summary>Residual: what the block adds from <paramref name="blockInput"/> (the shortcut, exact: a selection and zeros).</summary>
    public Tensor Skip(Tensor blockInput) => Shortcut is null ? blockInput : Shortcut.call(blockInput);

    /// <summary>ℓ∞→ℓ∞ operator norm of the layer's perturbation map (1 for ReLU, pooling, flatten).</summary>
    public double Norm { get; init; } = 1;

    /// <summary>Convolution: output channel, input channel and kernel offset (u, v) of flat weight index <paramref name="index"/>.</summary>
    public (int Out, long In, long U, long V) Locate(long index)
    {
        long c = Weight!.shape[1], kh = Weight.shape[2], kw = Weight.shape[3];
        long rest = index % (c * kh * kw);
        return ((int)(index / (c * kh * kw)), rest / (kh * kw), rest % (kh * kw) / kw, rest % kw);
    }

    /// <summary>
    /// Convolution: what kernel offset (u, v) multiplies at each of the <paramref name="outHeight"/> × <paramref name="outWidth"/>
    /// output positions — output (y, x) reads input (y·stride + u·dilation, x·stride + v·dilation) of the zero-padded
    /// <paramref name="input"/>: a strided window of it.
    /// </summary>
    public Tensor Window(Tensor input, long u, long v, long outHeight, long outWidth)
    {
        if (Padding[0] > 0 || Padding[1] > 0)
            input = nn.functional.pad(input, new long[] { Padding[1], Padding[1], Padding[0], Padding[0] });
        long r0 = u * Dilation[0], c0 = v * Dilation[1];
        return input[.., .., TensorIndex.Slice(r0, r0 + (outHeight - 1) * Stride[0] + 1, Stride[0]), TensorIndex.Slice(c0, c0 + (outWidth - 1) * Stride[1] + 1, Stride[1])];
    }
}

/// <summary>
/// A network read as a flat stack of the layers the incremental evaluator can propagate a perturbation through —
/// convolution (no groups, zero padding), batch norm (eval), linear, ReLU, max and average pooling, flatten(1) and
/// dropout — in the order its forward runs them (<see cref="ILayerSequence"/>, nested sequences and torch
/// <see cref="Sequential"/> containers inlined). A residual block (an <see cref="ILayerSequence"/> that adds its input,
/// directly or through a <see cref="SubsampleShortcut"/>) becomes its main branch's steps followed by a
/// <see cref="StackStepKind.Residual"/> step that names where the block began. Any other module, or a tensor that is not
/// the weight or bias of one of these layers, makes <see cref="TryCreate"/> refuse, and the caller keeps its other
/// evaluators.
/// </summary>
internal sealed class LayerStack : IDisposable
{
    private LayerStack(StackStep[] steps, (int Step, bool Bias)[] owners, StackStep[]? prefix = null)
    {
        Steps = steps;
        Owners = owners;
        Prefix = prefix ?? [];
        blockStarts = new bool[steps.Length];
        foreach (var s in steps) if (s.Kind == StackStepKind.Residual) blockStarts[s.SkipFrom] = true;
    }

    /// <summary>blockStarts[l]: step l's input is some residual block's input (asked at every step of every flip).</summary>
    private readonly bool[] blockStarts;

    public StackStep[] Steps { get; }

    /// <summary>
    /// For each flippable tensor (FlipTarget order): the step it belongs to and whether it is that step's bias; step −1
    /// for a tensor of the <see cref="Prefix"/>.
    /// </summary>
    public (int Step, bool Bias)[] Owners { get; }

    /// <summary>
    /// The layers before <see cref="Steps"/> when this stack is a <see cref="Suffix"/>: run (as the network runs them)
    /// to make the stack's input, but not followed by the incremental pass.
    /// </summary>
    public StackStep[] Prefix { get; }

    /// <summary>
    /// The stack from step <paramref name="from"/> on — which must not cut a residual block — with the earlier steps
    /// as its <see cref="Prefix"/> (their float64 copies released): what the incremental pass caches when the whole
    /// stack's activations would not fit. This stack must not be used or disposed afterwards.
    /// </summary>
    public LayerStack Suffix(int from)
    {
        if (from == 0) return this;
        if (!CanStartAt(from)) throw new ArgumentException("the suffix would cut a residual block", nameof(from));
        foreach (var s in Steps.Take(from)) Release(s);
        var kept = Steps.Skip(from).Select(s => s.Kind != StackStepKind.Residual ? s
            : new StackStep { Kind = s.Kind, Module = s.Module, SkipFrom = s.SkipFrom - from, Shortcut = s.Shortcut }).ToArray();
        var owners = Owners.Select(o => o.Step < from ? (-1, o.Bias) : (o.Step - from, o.Bias)).ToArray();
        return new LayerStack(kept, owners, Steps.Take(from).ToArray());
    }

    /// <summary>Whether a suffix may start at step <paramref name="from"/> (no residual block spans it).</summary>
    public bool CanStartAt(int from) => !Steps.Skip(from).Any(s => s.Kind == StackStepKind.Residual && s.SkipFrom < from);

    /// <summary>Runs the <see cref="Prefix"/> on <paramref name="x"/>, each layer as the network runs it.</summary>
    public Tensor RunPrefix(Tensor x)
    {
        var entering = new List<Tensor>();
        foreach (var step in Prefix)
        {
            entering.Add(x);
            x = step.Kind == StackStepKind.Residual ? x + step.Skip(entering[step.SkipFrom]) : step.Module.call(x);
        }
        return x;
    }

    /// <summary>Whether step <paramref name="l"/>'s input is the input of some residual block (to be kept for its sum).</summary>
    public bool StartsBlock(int l) => blockStarts[l];

    /// <summary>
    /// gains[j] for j in (from, Steps.Length]: a bound on the ℓ∞ gain from step <paramref name="from"/>'s output to step
    /// j's input, from per-step bounds <paramref name="norm"/>: a product along a chain; through a residual block the
    /// main branch's gain plus the shortcut's (1, a selection) when the perturbation entered before the block.
    /// </summary>
    public double[] Gains(int from, Func<StackStep, double> norm)
    {
        var gains = new double[Steps.Length + 1];
        double g = 1;
        var saved = new Dictionary<int, double>();
        for (int j = from + 1; j < Steps.Length; j++)
        {
            gains[j] = g;
            if (StartsBlock(j)) saved[j] = g;
            var step = Steps[j];
            g = step.Kind == StackStepKind.Residual ? g + saved.GetValueOrDefault(step.SkipFrom) : g * norm(step);
        }
        gains[Steps.Length] = g;
        return gains;
    }

    /// <summary>The stack of <paramref name="model"/> with each of <paramref name="names"/> mapped to its step, or null.</summary>
    public static LayerStack? TryCreate(nn.Module<Tensor, Tensor> model, IReadOnlyList<string> names)
    {
        if (model is not ILayerSequence { AddsInput: false } sequence) return null;
        var modules = new List<(nn.Module<Tensor, Tensor> Module, int SkipFrom)>();
        if (!Expand(sequence.Layers, modules)) return null;
        if (modules.Select(m => m.Module).Distinct(ReferenceEqualityComparer.Instance).Count() != modules.Count) return null;
        var steps = new List<StackStep>();
        using (no_grad())
        {
            foreach (var (module, skipFrom) in modules)
            {
                using var scope = NewDisposeScope();
                var step = skipFrom >= 0 ? Block(module, skipFrom) : Describe(module);
                if (step is not null) Keep(step);
                if (step is null)
                {
                    foreach (var s in steps) Release(s);
                    return null;
                }
                steps.Add(step);
            }
        }
        var byName = model.named_modules().ToDictionary(m => m.name, m => m.module);
        var owners = new (int, bool)[names.Count];
        for (int t = 0; t < names.Count; t++)
        {
            int dot = names[t].LastIndexOf('.');
            int at = dot < 0 || !byName.TryGetValue(names[t][..dot], out var owner) ? -1 : steps.FindIndex(s => ReferenceEquals(s.Module, owner));
            string kind = dot < 0 ? "" : names[t][(dot + 1)..];
            if (at < 0 || kind is not ("weight" or "bias") || steps[at].Kind is not (StackStepKind.Convolution or StackStepKind.BatchNorm or StackStepKind.Linear))
            {
                foreach (var s in steps) Release(s);
                return null;
            }
            owners[t] = (at, kind == "bias");
        }
        return new LayerStack(steps.ToArray(), owners);
    }

    /// <summary>
    /// Inlines nested sequences into <paramref name="into"/>; a residual block adds its main branch, then itself with
    /// the index of its first step (SkipFrom; −1 for every other entry). An empty main branch is refused.
    /// </summary>
    private static bool Expand(IEnumerable<nn.Module<Tensor, Tensor>> layers, List<(nn.Module<Tensor, Tensor>, int)> into)
    {
        foreach (var layer in layers)
        {
            switch (layer)
            {
                case ILayerSequence { AddsInput: false } inner:
                    if (!Expand(inner.Layers, into)) return false;
                    break;
                case ILayerSequence block:
                    int first = into.Count;
                    if (!Expand(block.Layers, into) || into.Count == first) return false;
                    into.Add((layer, first));
                    break;
                case Sequential seq:
                    var children = seq.children().Select(c => c as nn.Module<Tensor, Tensor>).ToList();
                    if (children.Any(c => c is null) || !Expand(children!, into)) return false;
                    break;
                default:
                    into.Add((layer, -1));
                    break;
            }
        }
        return true;
    }

    /// <summary>The sum that ends residual block <paramref name="module"/>, whose main branch starts at step <paramref name="skipFrom"/>.</summary>
    private static StackStep Block(nn.Module<Tensor, Tensor> module, int skipFrom) => new()
    {
        Kind = StackStepKind.Residual, Module = module, SkipFrom = skipFrom, Shortcut = ((ILayerSequence)module).Shortcut,
    };

    private static StackStep? Describe(nn.Module<Tensor, Tensor> module)
    {
        switch (module)
        {
            case Conv2d c when c.groups == 1 && c.padding is { Length: 2 } && c.padding_mode == TorchSharp.PaddingModes.Zeros && IsFloat32(c.weight, c.bias):
                var w = c.weight!.detach().to_type(ScalarType.Float64);
                var absW = w.abs();
                double norm = absW.flatten(1).sum(1).max().item<double>();
                return new StackStep
                {
                    Kind = StackStepKind.Convolution, Module = module, Weight = w, Weight32 = c.weight.detach().clone(), AbsWeight = absW,
                    AbsBias = c.bias?.detach().to_type(ScalarType.Float64).abs(),
                    Stride = c.stride!.ToArray(), Padding = c.padding.ToArray(), Dilation = c.dilation!.ToArray(), Norm = norm,
                };
            case BatchNorm2d b when b.running_mean is not null && b.running_var is not null && IsFloat32(b.weight, b.bias):
                var inverse = (b.running_var.detach().to_type(ScalarType.Float64) + b.eps).sqrt().reciprocal();
                var gamma = b.weight is null ? ones_like(inverse) : b.weight.detach().to_type(ScalarType.Float64);
                var scale = gamma * inverse;
                return new StackStep
                {
                    Kind = StackStepKind.BatchNorm, Module = module, Scale = scale, Scale32 = scale.to_type(ScalarType.Float32), InverseStd = inverse,
                    Mean = b.running_mean.detach().to_type(ScalarType.Float64),
                    AbsBias = b.bias is null ? zeros_like(inverse) : b.bias.detach().to_type(ScalarType.Float64).abs(),
                    Norm = scale.abs().max().item<double>(),
                };
            case Linear l when IsFloat32(l.weight, l.bias):
                var lw = l.weight!.detach().to_type(ScalarType.Float64);
                var absLw = lw.abs();
                return new StackStep
                {
                    Kind = StackStepKind.Linear, Module = module, Weight = lw, Weight32 = l.weight.detach().clone(), AbsWeight = absLw,
                    AbsBias = l.bias?.detach().to_type(ScalarType.Float64).abs(), Norm = absLw.sum(1).max().item<double>(),
                };
            case ReLU:
                return new StackStep { Kind = StackStepKind.Relu, Module = module };
            case MaxPool2d:
                return new StackStep { Kind = StackStepKind.MaxPool, Module = module };
            case AvgPool2d or AdaptiveAvgPool2d:
                return new StackStep { Kind = StackStepKind.AveragePool, Module = module };
            case Flatten { start_dim: 1, end_dim: -1 }:
                return new StackStep { Kind = StackStepKind.Flatten, Module = module };
            case Dropout or Dropout2d:
                return new StackStep { Kind = StackStepKind.Identity, Module = module };
            default:
                return null;
        }
    }

    private static bool IsFloat32(Tensor? weight, Tensor? bias) =>
        (weight is null || weight.dtype == ScalarType.Float32) && (bias is null || bias.dtype == ScalarType.Float32);

    private static void Keep(StackStep s)
    {
        foreach (var t in new[] { s.Weight, s.Weight32, s.AbsWeight, s.AbsBias, s.Scale, s.Scale32, s.Mean, s.InverseStd }) t?.DetachFromDisposeScope();
    }

    private static void Release(StackStep s)
    {
        foreach (var t in new[] { s.Weight, s.Weight32, s.AbsWeight, s.AbsBias, s.Scale, s.Scale32, s.Mean, s.InverseStd }) t?.Dispose();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var s in Steps) Release(s);
    }
}
