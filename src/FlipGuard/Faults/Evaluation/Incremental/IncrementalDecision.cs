using static TorchSharp.torch;

namespace FlipGuard.Faults.Evaluation.Incremental;

/// <summary>
/// Decides, without torch's full forward, which prediction a sample gets after one change of a weight or bias of a
/// <see cref="LayerStack"/>: the change Δ moves one output channel (or unit) of its layer by Δ × the input it
/// multiplies; that perturbation is carried through the rest of the stack in float32, in difference form — linear
/// layers map only the perturbed channels (W∗Δ), ReLU and max-pooling compare the perturbed value with the cached clean
/// one — and added to the clean float32 logits. While the perturbation stays in one channel (up to the next
/// convolution or linear layer) only that channel is computed, so a flip in LeNet-5's conv2 costs a 25-feature slice of
/// fc1 instead of a forward pass.
/// The result z is within A of the naive path's float32 logits, where A = 2·E + 2.02·Σγₙ·D + 4u·(K + 2)·(M + 2D) + 10⁻²⁰
/// (E: <see cref="StackActivations.CleanError"/>, the clean forward's rounding bound at the logits; D: a bound on how
/// far the perturbation can raise the magnitudes of the sums — the unit's |W|-network gain times the largest |Δ·x|;
/// M: the all-units magnitude bound; K: the steps after the flipped one; u = 2⁻²⁴): the cached clean activations this
/// pass adds to carry at most E, and the naive forward rounds its perturbed sums, whose terms exceed the clean ones by
/// at most what D bounds, so at most E + Σγₙ·D. This pass's own float32 arithmetic adds at most another Σγₙ·D in its
/// sums and u·(|c| + 2|d|) at each element-wise step (c: the clean value there, within M once carried to the logits).
/// Float32 halves the bytes of what is memory-bound tensor arithmetic (and the cache needs no conversion). E is <see cref="StackActivations.MaskedError"/> (dead ReLU units stop the
/// error) when the flip's perturbation is small enough to leave every later dead unit dead, else the unmasked bound. A sample is decided when z's top logit beats the runner-up by more than 2A and no float32 sum of the
/// perturbed forward can reach overflow (clean peak magnitude plus the product of the later layers' ℓ∞ norms times
/// the largest |Δ·x| stays below 2¹²⁶, a quarter of float32's overflow threshold); the rest go back to the caller for torch. Nothing here rests on bit-identity
/// with libtorch's kernels except the cached clean activations, which the constructor checks bit for bit.
/// </summary>
internal sealed class IncrementalDecision : IDisposable
{
    /// <summary>Float64 working memory one block of rows may take (several tensors of the widest layer's size).</summary>
    private const long BlockBytes = 64L << 20;
    /// <summary>Largest Σγₙ the bounds are stated for: callers inflate bounds by 1% to cover a factor 1 + Σγₙ.</summary>
    public const double MaxRoundingSum = 0.005;
    private const double OverflowLimit = 8.507059173023462e37; // 2^126: partial sums stay below (1 + γ)·that < 2^128
    private readonly LayerStack stack;
    private readonly StackActivations clean;
    private readonly int[] labels;
    private readonly double[] laterNorm, laterNormAtLeastOne;
    private readonly bool[] worthwhile;
    /// <summary>maskedReach[l][s]: the largest |Δ·x| at step l's output for which sample s may use the masked error bound.</summary>
    private readonly double[][] maskedReach;
    private readonly int[] rowBlocks;
    /// <summary>passRounding[l]: 4u·(steps after l + 2), the float32 pass's element-wise rounding factor for a flip at step l.</summary>
    private readonly double[] passRounding;

    /// <summary>
    /// The pass for <paramref name="model"/> when it is a plain <see cref="LayerStack"/> whose clean activations for
    /// <paramref name="images"/> fit in <paramref name="budgetBytes"/> and reproduce <paramref name="logits"/> (the
    /// model's own clean logits) bit for bit; null otherwise.
    /// </summary>
    public static IncrementalDecision? TryCreate(nn.Module<Tensor, Tensor> model, IReadOnlyList<string> names, Tensor images, int[] labels, float[] logits, int chunk, long budgetBytes)
    {
        var stack = LayerStack.TryCreate(model, names);
        if (stack is null) return null;
        int k = stack.Steps.Length;
        var bytes = new long[k + 1]; // per sample, what enters each step (and the logits)
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            var x = images.narrow(0, 0, 1);
            var entering = new List<Tensor>();
            for (int l = 0; l < k; l++)
            {
                var step = stack.Steps[l];
                bytes[l] = x.numel() * x.element_size();
                entering.Add(x);
                x = step.Kind == StackStepKind.Residual ? x + step.Skip(entering[step.SkipFrom]) : step.Module.call(x);
            }
            bytes[k] = x.numel() * x.element_size();
        }
        // The longest suffix whose cache fits (a ResNet's early stages hold most of its activations but few of its
        // weights); flips before it are left to the caller's other paths.
        int from = Enumerable.Range(0, k).FirstOrDefault(l => stack.CanStartAt(l) && bytes.Skip(l).Sum() * images.shape[0] <= budgetBytes, -1);
        if (from < 0 || !stack.Owners.Any(o => o.Step >= from))
        {
            stack.Dispose();
            return null;
        }
        stack = stack.Suffix(from);
        var clean = StackActivations.TryCreate(stack, images, chunk, logits);
        if (clean is null || clean.RoundingSum > MaxRoundingSum)
        {
            clean?.Dispose();
            stack.Dispose();
            return null;
        }
        return new IncrementalDecision(stack, clean, labels);
    }

    /// <summary>Precomputes, per step, the ℓ∞ norms of the later steps and whether the pass is worth running there.</summary>
    private IncrementalDecision(LayerStack stack, StackActivations clean, int[] labels)
    {
        (this.stack, this.clean, this.labels) = (stack, clean, labels);
        Overflow = new OverflowDecision(stack, clean, labels);
        int k = stack.Steps.Length;
        laterNorm = new double[k];
        laterNormAtLeastOne = new double[k];
        worthwhile = new bool[k];
        maskedReach = new double[k][];
        rowBlocks = new int[k];
        passRounding = Enumerable.Range(0, k).Select(l => 4 * FloatRounding.UnitRoundoff * (k - l + 1)).ToArray();
        double full = 0;
        for (int l = 0; l < k; l++) full += Cost(l, clean.Inputs[l].shape[1], true, out _);
        for (int l = 0; l < k; l++)
        {
            double cost = 0;
            long width = 1; // the perturbation starts in one channel (unit) of step l's output
            for (int j = l + 1; j < k; j++) cost += Cost(j, width, stack.Steps[j].SkipFrom > l, out width);
            var gains = stack.Gains(l, s => s.Norm);
            var atLeastOne = stack.Gains(l, s => Math.Max(1, s.Norm));
            (laterNorm[l], laterNormAtLeastOne[l]) = (gains[k], atLeastOne[k]);
            long widest = Enumerable.Range(l, k - l + 1).Max(j => clean.Inputs[j].numel() / clean.Inputs[j].shape[0]);
            rowBlocks[l] = (int)Math.Clamp(BlockBytes / (8 * 4 * widest), 64, 4096);
            // The largest raise at step l for which every later ReLU layer's dead units stay dead (MaskedError holds).
            var allowed = maskedReach[l] = Enumerable.Repeat(double.PositiveInfinity, clean.Logits.Length / clean.Classes).ToArray();
            for (int j = l + 1; j < k; j++)
                if (clean.DeadSlack[j] is { } tau)
                    for (int s = 0; s < allowed.Length; s++) allowed[s] = Math.Min(allowed[s], tau[s] / (1.02 * atLeastOne[j]));
            // Float64 and two extra passes per step make a multiply-add here cost about three of torch's.
            worthwhile[l] = 3 * cost < full;
        }
    }

    /// <summary>The pass for changes that may overflow float32 (exponent-MSB flips), on the same stack and cache.</summary>
    public OverflowDecision Overflow { get; }

    /// <summary>Per sample, the bound on the clean float32 logits' rounding error (<see cref="StackActivations.CleanError"/>).</summary>
    public double[] CleanError => clean.CleanError;

    /// <summary>The step of the stack that tensor <paramref name="tensor"/> belongs to (−1: before the cached suffix).</summary>
    public int StepOf(int tensor) => stack.Owners[tensor].Step;

    /// <summary>Steps of the full stack before the cached suffix (0 when the whole stack is cached).</summary>
    public int Uncached => stack.Prefix.Length;

    /// <summary>The <see cref="ReluAblation"/> bound of step <paramref name="step"/>, or null.</summary>
    public (float[] Bound, int Units, bool Weights)? Ablation(int step) => ReluAblation.Measure(stack, clean, step);

    /// <summary>The <see cref="PositionSensitivity"/> bound of step <paramref name="step"/>, or null.</summary>
    public float[]? Positions(int step) => PositionSensitivity.Measure(stack, clean, step);

    /// <summary>Whether this pass is cheaper than torch's forward for changes of the target's tensor <paramref name="tensor"/>.</summary>
    public bool Worthwhile(int tensor) => stack.Owners[tensor].Step >= 0 && worthwhile[stack.Owners[tensor].Step];

    /// <summary>
    /// For the change of <paramref name="index"/> in tensor <paramref name="changed"/> by <paramref name="delta"/>
    /// (new − old, exact in float64), with <paramref name="unitGain"/> a valid ℓ∞ gain from the changed unit to the
    /// logits: returns how many of <paramref name="rows"/> are decided correct, and adds the undecided ones to
    /// <paramref name="undecided"/>.
    /// </summary>
    public long Decide(int changed, long index, double delta, double unitGain, ReadOnlySpan<int> rows, List<int> undecided)
    {
        var (at, bias) = stack.Owners[changed];
        long correct = 0;
        int classes = clean.Classes;
        double reach = Math.Min(unitGain, laterNorm[at]);
        int rowBlock = rowBlocks[at];
        for (int from = 0; from < rows.Length; from += rowBlock)
        {
            var block = rows.Slice(from, Math.Min(rowBlock, rows.Length - from));
            double[] change, largest;
            double[]? peakBound = null, outBound = null;
            using (var scope = NewDisposeScope())
            using (no_grad())
            {
                var rowIndex = tensor(block.ToArray().Select(r => (long)r).ToArray(), ScalarType.Int64, clean.Inputs[0].device);
                var (d, start, size) = Initial(at, bias, index, delta, rowIndex, out var bound);
                var peakChange = bound.flatten(1).amax(1);
                // Where the norm product could reach overflow (exponent-MSB flips), carry the bound itself through |W|.
                bool carryBound = laterNormAtLeastOne[at] * peakChange.max().item<double>() >= OverflowLimit * 1e-6;
                var peak = carryBound ? peakChange : null;
                Tensor? cleanIn = null;
                var saved = new Dictionary<int, (Tensor D, int Start, int Size, Tensor Bound)>(); // perturbations entering residual blocks
                for (int l = at + 1; l < stack.Steps.Length; l++)
                {
                    if (stack.StartsBlock(l)) saved[l] = (d, start, size, bound);
                    if (stack.Steps[l].Kind == StackStepKind.Residual)
                    {
                        if (carryBound)
                        {
                            bound = Residual(l, bound, start, size, saved, s => s.Bound).D;
                            peak = peak!.maximum(bound.flatten(1).amax(1));
                        }
                        (d, start, size) = Residual(l, d, start, size, saved, s => s.D);
                        cleanIn = null; // the sum rounds in float32: the clean output is gathered from the cache
                        continue;
                    }
                    if (carryBound)
                    {
                        bound = PropagateBound(l, bound, start, size);
                        peak = peak!.maximum(bound.flatten(1).amax(1));
                    }
                    (d, start, size) = Propagate(l, d, start, size, rowIndex, ref cleanIn);
                }
                if (size != classes)
                {
                    var full = zeros(d.shape[0], classes, dtype: d.dtype, device: d.device);
                    full.narrow(1, start, size).copy_(d);
                    d = full;
                }
                change = d.cpu().contiguous().to_type(ScalarType.Float64).data<double>().ToArray();
                largest = peakChange.cpu().contiguous().data<double>().ToArray();
                if (carryBound)
                {
                    peakBound = peak!.cpu().contiguous().data<double>().ToArray();
                    outBound = bound.flatten(1).amax(1).cpu().contiguous().data<double>().ToArray();
                }
            }
            for (int r = 0; r < block.Length; r++)
            {
                int s = block[r];
                double raise = largest[r];
                double reachedPeak = peakBound is null ? laterNormAtLeastOne[at] * raise : peakBound[r];
                if (!(clean.PeakMagnitude[s] + reachedPeak < OverflowLimit)) { undecided.Add(s); continue; }
                double dOut = outBound is null ? reach * raise : Math.Min(reach * raise, outBound[r]);
                double error = raise <= maskedReach[at][s] ? clean.MaskedError[s] : clean.CleanError[s];
                // The float32 pass's own rounding: its sums (γₙ, carried like the naive forward's: a second Σγ·D) and its
                // element-wise steps (u·(|c| + 2|d|) at each, the clean part carried to the logits within M).
                double allowance = 2 * error + 2.02 * clean.RoundingSum * dOut + passRounding[at] * (clean.OutputMagnitude[s] + 2 * dOut) + 1e-20;
                int top = -1;
                double best = double.NegativeInfinity, second = double.NegativeInfinity;
                bool finite = true;
                for (int c = 0; c < classes; c++)
                {
                    double z = clean.Logits[s * classes + c] + change[r * classes + c];
                    finite &= double.IsFinite(z);
                    if (z > best) { second = best; best = z; top = c; }
                    else if (z > second) second = z;
                }
                if (!finite || !(best - second > 2 * allowance)) { undecided.Add(s); continue; }
                if (top == labels[s]) correct++;
            }
        }
        return correct;
    }

    /// <summary>
    /// The change of step <paramref name="at"/>'s output for the given rows, as (channel slice, first channel, width),
    /// and the amount by which it can raise each magnitude there (|Δ·x|, or |Δ|·(|x| + |μ|)/σ for a batch-norm scale).
    /// </summary>
    private (Tensor D, int Start, int Size) Initial(int at, bool bias, long index, double delta, Tensor rows, out Tensor bound)
    {
        var step = stack.Steps[at];
        var input = clean.Inputs[at];
        var output = clean.Inputs[at + 1];
        long r = rows.shape[0];
        Tensor d;
        int unit;
        switch (step.Kind)
        {
            case StackStepKind.Convolution when !bias:
                {
                    (unit, long i, long u, long v) = step.Locate(index);
                    d = step.Window(input.narrow(1, i, 1).index_select(0, rows), u, v, output.shape[2], output.shape[3]) * delta;
                    bound = d.abs();
                    break;
                }
            case StackStepKind.BatchNorm when !bias:
                {
                    unit = (int)index;
                    var x = input.narrow(1, unit, 1).index_select(0, rows);
                    double mean = step.Mean![unit].item<double>(), inverse = step.InverseStd![unit].item<double>();
                    d = (x - mean) * (inverse * delta);
                    bound = (x.abs() + Math.Abs(mean)) * (inverse * Math.Abs(delta));
                    break;
                }
            case StackStepKind.Linear when !bias:
                {
                    long features = step.Weight!.shape[1];
                    unit = (int)(index / features);
                    var x = input.narrow(1, index % features, 1).index_select(0, rows);
                    d = x * delta;
                    bound = d.abs();
                    break;
                }
            default: // a bias: the same Δ at every position of its channel (unit)
                {
                    unit = (int)index;
                    var shape = output.shape.ToArray();
                    shape[0] = r;
                    shape[1] = 1;
                    d = full(shape, delta, ScalarType.Float32, output.device);
                    bound = d.abs();
                    break;
                }
        }
        // The pass runs in float32: |Δ·x| was computed with a few roundings of relative u each; 8u more keeps it a bound.
        bound = bound.to_type(ScalarType.Float64) * (1 + 8 * FloatRounding.UnitRoundoff);
        return (d, unit, 1);
    }

    /// <summary>
    /// Carries the perturbation (channels [start, start + size) of step l's input) through step l. <paramref name="cleanIn"/>
    /// is the clean input of those rows and channels in float64 when the previous step left it (ReLU and max-pooling
    /// outputs are exact functions of their input, so their clean output need not be gathered again), and is replaced
    /// by step l's clean output, or null.
    /// </summary>
    private (Tensor D, int Start, int Size) Propagate(int l, Tensor d, int start, int size, Tensor rows, ref Tensor? cleanIn)
    {
        var step = stack.Steps[l];
        Tensor Clean(int at) => clean.Inputs[at].narrow(1, start, size).index_select(0, rows);
        switch (step.Kind)
        {
            case StackStepKind.Relu:
                {
                    var c = cleanIn ?? Clean(l);
                    var cleanOut = c.relu();
                    cleanIn = cleanOut;
                    return ((c + d).relu() - cleanOut, start, size);
                }
            case StackStepKind.MaxPool:
                {
                    var c = cleanIn ?? Clean(l);
                    var cleanOut = step.Module.call(c);
                    cleanIn = cleanOut;
                    return (step.Module.call(c + d) - cleanOut, start, size);
                }
            case StackStepKind.Flatten:
                {
                    int area = d.dim() == 4 ? (int)(d.shape[2] * d.shape[3]) : 1;
                    cleanIn = cleanIn?.flatten(1);
                    return (d.flatten(1), start * area, size * area);
                }
            case StackStepKind.Identity:
                return (d, start, size);
        }
        cleanIn = null; // the other steps round in float32: their clean output is gathered from the cache
        switch (step.Kind)
        {
            case StackStepKind.AveragePool:
                return (step.Module.call(d), start, size);
            case StackStepKind.BatchNorm:
                return (d * step.Scale32!.narrow(0, start, size).view(1, -1, 1, 1), start, size);
            case StackStepKind.Convolution:
                {
                    var y = nn.functional.conv2d(d, step.Weight32!.narrow(1, start, size), null, step.Stride, step.Padding, step.Dilation);
                    return (y, 0, (int)y.shape[1]);
                }
            default: // linear
                {
                    var y = d.matmul(step.Weight32!.narrow(1, start, size).t());
                    return (y, 0, (int)y.shape[1]);
                }
        }
    }

    /// <summary>
    /// The end of a residual block: <paramref name="main"/> (channels [start, start + size) of the main branch's output)
    /// plus the shortcut of what entered the block, if the perturbation had reached it (else the shortcut adds nothing
    /// new). <paramref name="pick"/> chooses the tensor (the perturbation or its bound) from the saved entry.
    /// </summary>
    private (Tensor D, int Start, int Size) Residual(int l, Tensor main, int start, int size, Dictionary<int, (Tensor D, int Start, int Size, Tensor Bound)> saved, Func<(Tensor D, int Start, int Size, Tensor Bound), Tensor> pick)
    {
        var step = stack.Steps[l];
        if (!saved.TryGetValue(step.SkipFrom, out var entry)) return (main, start, size);
        int channels = (int)clean.Inputs[l].shape[1];
        var sum = Widen(main, start, size, channels) + step.Skip(Widen(pick(entry), entry.Start, entry.Size, (int)clean.Inputs[step.SkipFrom].shape[1]));
        return (sum, 0, channels);
    }

    /// <summary><paramref name="slice"/> (channels [start, start + size)) placed in zeros <paramref name="channels"/> wide.</summary>
    internal static Tensor Widen(Tensor slice, int start, int size, int channels)
    {
        if (start == 0 && size == channels) return slice;
        var shape = slice.shape.ToArray();
        shape[1] = channels;
        var full = zeros(shape, slice.dtype, slice.device);
        full.narrow(1, start, size).copy_(slice);
        return full;
    }

    /// <summary>
    /// Carries the magnitude-raise bound through step l: |W| for linear maps, the window maximum for max-pooling, as is
    /// through ReLU (|relu(a + δ) − relu(a)| ≤ |δ|). It bounds |Δ| and the growth of every later sum's terms.
    /// </summary>
    private Tensor PropagateBound(int l, Tensor bound, int start, int size)
    {
        var step = stack.Steps[l];
        return step.Kind switch
        {
            StackStepKind.MaxPool or StackStepKind.AveragePool => step.Module.call(bound),
            StackStepKind.Flatten => bound.flatten(1),
            StackStepKind.BatchNorm => bound * step.Scale!.narrow(0, start, size).abs().view(1, -1, 1, 1),
            StackStepKind.Convolution => nn.functional.conv2d(bound, step.AbsWeight!.narrow(1, start, size), null, step.Stride, step.Padding, step.Dilation),
            StackStepKind.Linear => bound.matmul(step.AbsWeight!.narrow(1, start, size).t()),
            _ => bound,
        };
    }

    /// <summary>Multiply-adds (or elementwise operations) per sample of step l with a perturbation <paramref name="width"/> channels wide (<paramref name="shortcutPerturbed"/>: a residual sum whose block input is perturbed too).</summary>
    private double Cost(int l, long width, bool shortcutPerturbed, out long widthAfter)
    {
        var step = stack.Steps[l];
        var input = clean.Inputs[l];
        var output = clean.Inputs[l + 1];
        double outElements = output.shape.Skip(1).Aggregate(1L, (a, b) => a * b);
        double perChannelIn = input.shape.Skip(2).Aggregate(1L, (a, b) => a * b);
        switch (step.Kind)
        {
            case StackStepKind.Convolution:
                widthAfter = output.shape[1];
                return outElements * width * step.Weight!.shape[2] * step.Weight.shape[3];
            case StackStepKind.Linear:
                widthAfter = output.shape[1];
                return outElements * width;
            case StackStepKind.Flatten:
                widthAfter = width * (long)perChannelIn;
                return 0;
            case StackStepKind.Residual when shortcutPerturbed:
                widthAfter = output.shape[1];
                return outElements * 2;
            default:
                widthAfter = width;
                return width * perChannelIn * 2;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Overflow.Release();
        stack.Dispose();
        clean.Dispose();
    }
}
