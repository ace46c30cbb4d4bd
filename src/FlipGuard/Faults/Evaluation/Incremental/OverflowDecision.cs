using static TorchSharp.torch;

namespace FlipGuard.Faults.Evaluation.Incremental;

/// <summary>
/// Decides samples of the changes <see cref="IncrementalDecision"/> cannot take — an exponent-MSB flip multiplies a
/// weight by 2¹²⁸, and the float32 forward then overflows — by following IEEE 754 through the <see cref="LayerStack"/>:
/// for every float32 sum after the flip it carries, in float64, the value v the naive forward's sum has up to a
/// rigorous bound e, or the special value it certainly takes. A sum is
/// <list type="bullet">
/// <item>finite when the magnitudes of its terms T satisfy (1 + γₙ)·T &lt; float.MaxValue: no product or partial sum can
///   overflow in any order, so Higham's bound γₙ·T holds;</item>
/// <item>±∞ when |v| exceeds float.MaxValue by more than its error (a finite result is impossible) and the terms of
///   the other sign cannot overflow (so no partial sum of the other sign, hence no NaN);</item>
/// <item>NaN when a term is NaN, 0·∞, or ∞ terms of both signs meet; ±∞ when all ∞ terms share a sign and the finite
///   terms cannot overflow;</item>
/// <item>otherwise uncertain: the sample goes back to the caller for torch.</item>
/// </list>
/// ReLU keeps NaN and sends −∞ to 0, max-pooling propagates NaN (libtorch's CPU kernels; the flip-for-flip tests
/// check both), and the prediction is the first NaN, else the first +∞, else the top finite logit if its interval
/// clears every other. What this rests on besides IEEE arithmetic: that libtorch computes every product of a
/// convolution or linear layer (no skipped zero weights) and the behaviours of ReLU, max-pooling and argmax just named.
/// </summary>
internal sealed class OverflowDecision
{
    /// <summary>Float64 working memory of one block of rows.</summary>
    private const long BlockBytes = 64L << 20;

    private readonly LayerStack stack;
    private readonly StackActivations clean;
    private readonly int[] labels;
    private readonly double[] gamma;
    private readonly int[] rowBlocks;
    /// <summary>Per convolution or linear step: its weight's sign indicators in float64 (W &gt; 0, W &lt; 0, W = 0, all ones), made when first needed.</summary>
    private readonly Tensor[]?[] indicators;
    /// <summary>
    /// reachesAll[l]: a NaN anywhere in step l's input makes every logit NaN — step l is linear (every output sums
    /// the NaN), or it passes a NaN at any input position to some output (<see cref="Covers"/>) and reachesAll[l + 1].
    /// </summary>
    private readonly bool[] reachesAll;
    private readonly bool[] worthwhile;
    /// <summary>Per step: <see cref="StackActivations.TermPeak"/> as a tensor, made when first needed.</summary>
    private readonly Tensor?[] termPeak;

    public OverflowDecision(LayerStack stack, StackActivations clean, int[] labels)
    {
        (this.stack, this.clean, this.labels) = (stack, clean, labels);
        int k = stack.Steps.Length;
        gamma = Enumerable.Range(0, k).Select(l => FloatRounding.Gamma(StackActivations.Terms(stack.Steps[l], clean.Inputs[l]))).ToArray();
        indicators = new Tensor[]?[k];
        termPeak = new Tensor?[k];
        worthwhile = new bool[k];
        // Cost per sample in multiply-adds (or elementwise operations): torch's forward against this pass, whose sums take
        // about nine products each (value, magnitude, error, special-value counts) and its other steps about twenty
        // elementwise operations per element; the perturbation stays one channel wide until the next sum.
        double forward = 0;
        for (int l = 0; l < k; l++) forward += SumCost(l, clean.Inputs[l].shape[1]) ?? 0;
        for (int l = 0; l < k; l++)
        {
            double cost = 20 * (clean.Inputs[l + 1].numel() / clean.Inputs[l + 1].shape[0]) / Math.Max(1, clean.Inputs[l + 1].shape[1]);
            long width = 1;
            for (int j = l + 1; j < k; j++)
            {
                long perChannel = clean.Inputs[j].dim() == 4 ? clean.Inputs[j].shape[2] * clean.Inputs[j].shape[3] : 1;
                if (SumCost(j, width) is { } sum)
                {
                    cost += 9 * sum + 20 * (clean.Inputs[j + 1].numel() / clean.Inputs[j + 1].shape[0]);
                    width = clean.Inputs[j + 1].shape[1];
                }
                else
                {
                    if (stack.Steps[j].Kind == StackStepKind.Flatten) width *= perChannel;
                    if (stack.Steps[j].Kind == StackStepKind.Residual && stack.Steps[j].SkipFrom > l) width = clean.Inputs[j + 1].shape[1];
                    cost += 20 * width * (stack.Steps[j].Kind == StackStepKind.Flatten ? 1 : perChannel);
                }
            }
            worthwhile[l] = cost < forward;
        }
        reachesAll = new bool[k + 1];
        for (int l = k - 1; l >= 0; l--) reachesAll[l] = stack.Steps[l].Kind == StackStepKind.Linear || (reachesAll[l + 1] && Covers(l));
        rowBlocks = new int[k];
        for (int l = 0; l < k; l++)
        {
            long widest = Enumerable.Range(l, k - l + 1).Max(j => clean.Inputs[j].numel() / clean.Inputs[j].shape[0]);
            rowBlocks[l] = (int)Math.Clamp(BlockBytes / (8 * 12 * widest), 16, 4096);
        }
    }

    /// <summary>Whether this pass is cheaper than torch's forward for changes of the target's tensor <paramref name="tensor"/>.</summary>
    public bool Worthwhile(int tensor) => stack.Owners[tensor].Step >= 0 && worthwhile[stack.Owners[tensor].Step];

    /// <summary>
    /// Whether a NaN can retire rows soon after tensor <paramref name="tensor"/>'s step: one of the next two sums is
    /// followed by steps from which every NaN reaches every logit (the static cost model, which charges the whole
    /// rest of the stack, does not know that most exponent-MSB flips end there).
    /// </summary>
    public bool RetiresEarly(int tensor)
    {
        int at = stack.Owners[tensor].Step, sums = 0;
        for (int l = at + 1; l < stack.Steps.Length && sums < 2; l++)
        {
            if (stack.Steps[l].Kind is not (StackStepKind.Convolution or StackStepKind.Linear)) continue;
            sums++;
            if (reachesAll[l + 1]) return true;
        }
        return false;
    }

    /// <summary>Samples this pass has decided so far.</summary>
    public long Decided { get; private set; }

    /// <summary>
    /// For the change of <paramref name="index"/> in tensor <paramref name="changed"/> to <paramref name="newValue"/>
    /// (a finite float32; <paramref name="delta"/> = new − old in float64): how many of <paramref name="rows"/> are
    /// certainly predicted correctly; the uncertain ones are added to <paramref name="undecided"/>.
    /// </summary>
    public long Decide(int changed, long index, float newValue, double delta, ReadOnlySpan<int> rows, List<int> undecided)
    {
        var (at, bias) = stack.Owners[changed];
        int classes = clean.Classes;
        long correct = 0;
        int rowBlock = rowBlocks[at];
        var outcome = new int[Math.Min(rowBlock, rows.Length)];
        for (int from = 0; from < rows.Length; from += rowBlock)
        {
            var block = rows.Slice(from, Math.Min(rowBlock, rows.Length - from));
            Array.Fill(outcome, -1);
            using (var scope = NewDisposeScope())
            using (no_grad())
            {
                var rowIndex = tensor(block.ToArray().Select(r => (long)r).ToArray(), ScalarType.Int64, clean.Inputs[0].device);
                var position = arange(block.Length, ScalarType.Int64, rowIndex.device);
                var bad = zeros(block.Length, dtype: ScalarType.Bool, device: rowIndex.device);
                var (p, e, start, size) = Initial(at, bias, index, newValue, delta, rowIndex, ref bad);
                var saved = new Dictionary<int, State>(); // what entered each residual block the perturbation reached
                for (int l = at + 1; l <= stack.Steps.Length; l++)
                {
                    if (!Retire(l, ref p, ref e, ref rowIndex, ref position, ref bad, outcome, saved)) break;
                    if (l == stack.Steps.Length) break;
                    if (stack.StartsBlock(l)) saved[l] = new State(p, e, start, size);
                    (p, e, start, size) = stack.Steps[l].Kind == StackStepKind.Residual
                        ? Residual(l, p, e, start, size, rowIndex, saved, ref bad)
                        : Propagate(l, p, e, start, size, rowIndex, ref bad);
                }
                if (rowIndex.shape[0] > 0)
                {
                    if (size != classes)
                    {
                        var fullP = clean.Inputs[^1].index_select(0, rowIndex).to_type(ScalarType.Float64);
                        var fullE = zeros_like(fullP);
                        fullP.narrow(1, start, size).copy_(p);
                        fullE.narrow(1, start, size).copy_(e);
                        (p, e) = (fullP, fullE);
                    }
                    var value = p.cpu().contiguous().data<double>().ToArray();
                    var error = e.expand_as(p).cpu().contiguous().data<double>().ToArray();
                    var uncertain = bad.cpu().data<bool>().ToArray();
                    var at2 = position.cpu().data<long>().ToArray();
                    for (int r = 0; r < at2.Length; r++)
                        outcome[at2[r]] = uncertain[r] ? -1 : Float32Outcome.Prediction(value.AsSpan(r * classes, classes), error.AsSpan(r * classes, classes));
                }
            }
            for (int r = 0; r < block.Length; r++)
            {
                if (outcome[r] < 0) { undecided.Add(block[r]); continue; }
                Decided++;
                if (outcome[r] == labels[block[r]]) correct++;
            }
        }
        return correct;
    }

    /// <summary>
    /// Drops the rows that are settled before step <paramref name="l"/>: uncertain ones (outcome −1), and, where a NaN
    /// anywhere reaches every logit (reachesAll), those with a NaN: the prediction is class 0. Returns whether any row
    /// is left.
    /// </summary>
    private bool Retire(int l, ref Tensor p, ref Tensor e, ref Tensor rowIndex, ref Tensor position, ref Tensor bad, int[] outcome, Dictionary<int, State> saved)
    {
        var settled = bad;
        Tensor? nan = null;
        if (reachesAll[l] && p.isnan().any().item<bool>())
        {
            nan = p.isnan().flatten(1).any(1).logical_and(bad.logical_not());
            settled = settled.logical_or(nan);
        }
        if (!settled.any().item<bool>()) return true;
        if (nan is not null)
            foreach (long r in position.masked_select(nan).cpu().data<long>().ToArray()) outcome[r] = 0;
        var keep = settled.logical_not().nonzero().squeeze(1);
        (p, e, rowIndex, position, bad) = (p.index_select(0, keep), e.index_select(0, keep), rowIndex.index_select(0, keep), position.index_select(0, keep), bad.index_select(0, keep));
        foreach (var (step, state) in saved.ToList())
            saved[step] = state with { P = state.P.index_select(0, keep), E = state.E.expand_as(state.P).index_select(0, keep) };
        return keep.shape[0] > 0;
    }

    /// <summary>The pass's state at one step: value and error of channels [Start, Start + Size) of each row.</summary>
    private readonly record struct State(Tensor P, Tensor E, int Start, int Size);

    /// <summary>
    /// The sum that ends a residual block: main + shortcut(block input), one float32 addition per element. With a
    /// perturbed block input (<paramref name="saved"/>) both operands are carried at full width, else the shortcut is
    /// the clean cached value and only the perturbed channels are computed. ∞ + finite is ∞, ∞ − ∞ and NaN give NaN;
    /// a finite sum near float32's limit is classified like any other.
    /// </summary>
    private (Tensor, Tensor, int, int) Residual(int l, Tensor p, Tensor e, int start, int size, Tensor rows, Dictionary<int, State> saved, ref Tensor bad)
    {
        var step = stack.Steps[l];
        e = e.expand_as(p);
        Tensor a = p, ea = e, b, eb;
        if (saved.TryGetValue(step.SkipFrom, out var entry))
        {
            int channels = (int)clean.Inputs[l].shape[1];
            a = WithClean(l, p, start, size, rows);
            ea = IncrementalDecision.Widen(e, start, size, channels);
            b = step.Skip(WithClean(step.SkipFrom, entry.P, entry.Start, entry.Size, rows));
            eb = step.Skip(IncrementalDecision.Widen(entry.E.expand_as(entry.P), entry.Start, entry.Size, (int)clean.Inputs[step.SkipFrom].shape[1]));
            (start, size) = (0, channels);
        }
        else
        {
            b = step.Skip(clean.Inputs[step.SkipFrom].index_select(0, rows)).narrow(1, start, size).to_type(ScalarType.Float64);
            eb = zeros_like(b);
        }
        var finiteA = a.isfinite();
        var finiteB = b.isfinite();
        var terms = (a.abs() + ea).masked_fill(finiteA.logical_not(), 0) + (b.abs() + eb).masked_fill(finiteB.logical_not(), 0);
        var v = where(finiteA, a, 0) + where(finiteB, b, 0);
        var deviation = ea.masked_fill(finiteA.logical_not(), 0) + eb.masked_fill(finiteB.logical_not(), 0) + 1e-12 * terms;
        double g = gamma[l];
        var special = finiteA.logical_and(finiteB).logical_not();
        if (!special.any().item<bool>())
        {
            var (q, f) = Float32Outcome.Classify(v, deviation, terms, terms, g, ref bad);
            return (q, f, start, size);
        }
        var plus = a.eq(double.PositiveInfinity).logical_or(b.eq(double.PositiveInfinity));
        var minus = a.eq(double.NegativeInfinity).logical_or(b.eq(double.NegativeInfinity));
        var nan = a.isnan().logical_or(b.isnan()).logical_or(plus.logical_and(minus));
        var (sq, sf) = Float32Outcome.Special(v, deviation, terms, g, nan, plus, minus, ref bad);
        return (sq, sf, start, size);
    }

    /// <summary>Channels [start, start + size) of step l's input replaced by <paramref name="p"/>, the others clean, in float64.</summary>
    private Tensor WithClean(int l, Tensor p, int start, int size, Tensor rows)
    {
        var full = clean.Inputs[l].index_select(0, rows).to_type(ScalarType.Float64);
        if (start == 0 && size == full.shape[1]) return p;
        full.narrow(1, start, size).copy_(p);
        return full;
    }

    /// <summary>
    /// Whether a NaN at any input element of step l gives a NaN in some output element. Element-wise steps, sums and
    /// reshapes do; a convolution or pooling does when every input position lies in some window, which a probe finds
    /// out: one NaN per position, all positions as a batch, through the step's window geometry (a convolution's with a
    /// kernel of ones: which products its real weights make is irrelevant, NaN·w is NaN). Maps over 4,096 positions
    /// are not probed (treated as not covering).
    /// </summary>
    private bool Covers(int l)
    {
        var step = stack.Steps[l];
        if (step.Kind is not (StackStepKind.Convolution or StackStepKind.MaxPool or StackStepKind.AveragePool)) return true;
        var input = clean.Inputs[l];
        if (input.dim() != 4 || input.shape[2] * input.shape[3] > 4096) return false;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long h = input.shape[2], w = input.shape[3];
        var probe = eye(h * w, dtype: ScalarType.Float32, device: input.device).view(h * w, 1, h, w);
        probe = probe.masked_fill(probe.gt(0), float.NaN);
        var y = step.Kind == StackStepKind.Convolution
            ? nn.functional.conv2d(probe, ones(1, 1, step.Weight!.shape[2], step.Weight.shape[3], dtype: ScalarType.Float32, device: input.device), null, step.Stride, step.Padding, step.Dilation)
            : step.Module.call(probe);
        return y.isnan().flatten(1).any(1).all().item<bool>();
    }

    /// <summary>Multiply-adds per sample of step l (a convolution or linear layer) fed <paramref name="width"/> input channels; null for other steps.</summary>
    private double? SumCost(int l, long width)
    {
        var step = stack.Steps[l];
        double outElements = clean.Inputs[l + 1].numel() / clean.Inputs[l + 1].shape[0];
        return step.Kind switch
        {
            StackStepKind.Convolution => outElements * width * step.Weight!.shape[2] * step.Weight.shape[3],
            StackStepKind.Linear => outElements * width,
            _ => null,
        };
    }

    /// <summary>The changed channel (unit) of step <paramref name="at"/>'s output: value, error, first channel, width 1.</summary>
    private (Tensor P, Tensor E, int Start, int Size) Initial(int at, bool bias, long index, float newValue, double delta, Tensor rows, ref Tensor bad)
    {
        var step = stack.Steps[at];
        var input = clean.Inputs[at];
        double g = gamma[at];
        Tensor v, terms, overflowTerms;
        int unit;
        var peakRow = Peak(at, rows);
        var peak = Float32Outcome.Broadcast(peakRow, clean.Inputs[at + 1]);
        switch (step.Kind)
        {
            case StackStepKind.Convolution when !bias:
                {
                    (unit, long i, long u, long w) = step.Locate(index);
                    var window = step.Window(input.narrow(1, i, 1).index_select(0, rows).to_type(ScalarType.Float64), u, w, clean.Inputs[at + 1].shape[2], clean.Inputs[at + 1].shape[3]);
                    v = CleanOutput(at, unit, rows) + window * delta;
                    terms = overflowTerms = peak + window.abs() * Math.Abs(newValue);
                    break;
                }
            case StackStepKind.Linear when !bias:
                {
                    long features = step.Weight!.shape[1];
                    unit = (int)(index / features);
                    var x = input.narrow(1, index % features, 1).index_select(0, rows).to_type(ScalarType.Float64);
                    v = CleanOutput(at, unit, rows) + x * delta;
                    terms = overflowTerms = peak + x.abs() * Math.Abs(newValue);
                    break;
                }
            case StackStepKind.BatchNorm:
                {
                    unit = (int)index;
                    var x = input.narrow(1, unit, 1).index_select(0, rows).to_type(ScalarType.Float64);
                    double mean = step.Mean![unit].item<double>(), inverse = step.InverseStd![unit].item<double>();
                    double scale = step.Scale![unit].item<double>(), shift = step.AbsBias![unit].item<double>();
                    double weight = bias ? scale / inverse : newValue;
                    if (bias) shift = Math.Abs(newValue);
                    var magnitude = x.abs() + Math.Abs(mean);
                    v = CleanOutput(at, unit, rows) + (bias ? ones_like(x) * delta : (x - mean) * (inverse * delta));
                    terms = magnitude * (inverse * Math.Abs(weight)) + shift;
                    overflowTerms = magnitude * (Math.Max(1, inverse) * Math.Max(1, Math.Abs(weight))) + shift;
                    // libtorch may fold γ·(1/σ) into one float32 factor first: if that can overflow, ∞ − ∞ may follow.
                    if (!(Math.Abs(weight) * inverse * (1 + 1e-6) < Float32Outcome.Finite)) bad = ones_like(bad);
                    break;
                }
            default: // a convolution or linear bias: the same Δ at every position of its channel
                {
                    unit = (int)index;
                    v = CleanOutput(at, unit, rows) + delta;
                    terms = overflowTerms = peak + Math.Abs(newValue);
                    break;
                }
        }
        // The layer's input is the naive forward's own (nothing before the flip changes); the cached clean output is
        // within γ·(its terms) of the exact clean sum, and float64 adds its own rounding.
        var deviation = g * peak + 1e-12 * overflowTerms;
        var (p, e) = Float32Outcome.Classify(v, deviation, terms, overflowTerms, g, ref bad);
        return (p, e, unit, 1);
    }

    /// <summary>Carries (value, error) of channels [start, start + size) of step l's input through step l.</summary>
    private (Tensor P, Tensor E, int Start, int Size) Propagate(int l, Tensor p, Tensor e, int start, int size, Tensor rows, ref Tensor bad)
    {
        var step = stack.Steps[l];
        switch (step.Kind)
        {
            case StackStepKind.Relu:
                {
                    var kept = where(p.isnan(), p, p.clamp_min(0));
                    return (kept, e.masked_fill((p + e).lt(0), 0), start, size); // certainly negative: exactly 0
                }
            case StackStepKind.MaxPool:
                {
                    var pooled = step.Module.call(p);
                    e = e.expand_as(p);
                    return (pooled, step.Module.call(e).masked_fill(pooled.isfinite().logical_not(), 0), start, size);
                }
            case StackStepKind.Flatten:
                {
                    int area = p.dim() == 4 ? (int)(p.shape[2] * p.shape[3]) : 1;
                    return (p.flatten(1), e.flatten(1), start * area, size * area);
                }
            case StackStepKind.Identity:
                return (p, e, start, size);
            case StackStepKind.BatchNorm:
                return BatchNorm(l, p, e, start, size, rows, ref bad);
            case StackStepKind.AveragePool:
                return AveragePool(l, p, e, start, size, rows, ref bad);
            default:
                return Sum(l, p, e, start, size, rows, ref bad);
        }
    }

    /// <summary>A convolution or linear layer: the perturbed input channels through W, every output channel perturbed.</summary>
    private (Tensor, Tensor, int, int) Sum(int l, Tensor p, Tensor e, int start, int size, Tensor rows, ref Tensor bad)
    {
        var step = stack.Steps[l];
        var cleanIn = clean.Inputs[l].narrow(1, start, size).index_select(0, rows).to_type(ScalarType.Float64);
        var special = p.isfinite().logical_not();
        bool anySpecial = special.any().item<bool>();
        var finiteP = anySpecial ? where(special, cleanIn, p) : p;
        Tensor Apply(Tensor weight, Tensor x) => step.Kind == StackStepKind.Convolution
            ? nn.functional.conv2d(x, weight.narrow(1, start, size), null, step.Stride, step.Padding, step.Dilation)
            : x.matmul(weight.narrow(1, start, size).t());
        var peak = Peak(l, rows);
        var v = clean.Inputs[l + 1].index_select(0, rows).to_type(ScalarType.Float64) + Apply(step.Weight!, finiteP - cleanIn);
        if (!anySpecial)
        {
            // The cheap form: one error bound per row, through the ℓ∞ norm of the slice's weights. Enough unless some
            // sum could overflow, where the element-wise bounds below decide.
            var norm = step.AbsWeight!.narrow(1, start, size).flatten(1).sum(1).max().item<double>();
            var rowError = e.flatten(1).amax(1);
            var rowTerms = peak + norm * (finiteP.abs().flatten(1).amax(1) + rowError);
            if (rowTerms.max().item<double>() * (1 + gamma[l]) < Float32Outcome.Finite)
            {
                var error = norm * rowError + gamma[l] * (rowTerms + peak) + 1e-12 * rowTerms + Float32Outcome.Floor;
                return (v, Float32Outcome.Broadcast(error, v), 0, (int)v.shape[1]);
            }
        }
        var magnitude = finiteP.abs() + e;
        if (anySpecial) magnitude = magnitude.masked_fill(special, 0);
        var terms = Float32Outcome.Broadcast(peak, v) + Apply(step.AbsWeight!, magnitude);
        var deviation = Apply(step.AbsWeight!, e) + gamma[l] * Float32Outcome.Broadcast(peak, v) + 1e-12 * terms;
        if (!anySpecial)
        {
            var (q, f) = Float32Outcome.Classify(v, deviation, terms, terms, gamma[l], ref bad);
            return (q, f, 0, (int)q.shape[1]);
        }
        var ind = Indicators(l);
        var positiveInf = p.eq(double.PositiveInfinity).to_type(ScalarType.Float64);
        var negativeInf = p.eq(double.NegativeInfinity).to_type(ScalarType.Float64);
        var nanIn = p.isnan().to_type(ScalarType.Float64);
        Func<Tensor, Tensor, Tensor> count = (weight, x) => Apply(weight, x);
        if (step.Kind == StackStepKind.Linear)
        {
            // Only the input features holding a special value in some row matter: a narrower product.
            var columns = special.any(0).nonzero().squeeze(1);
            (positiveInf, negativeInf, nanIn) = (positiveInf.index_select(1, columns), negativeInf.index_select(1, columns), nanIn.index_select(1, columns));
            count = (weight, x) => x.matmul(weight.narrow(1, start, size).index_select(1, columns).t());
        }
        var plus = count(ind[0], positiveInf) + count(ind[1], negativeInf);
        var minus = count(ind[1], positiveInf) + count(ind[0], negativeInf);
        var nan = count(ind[3], nanIn).gt(0)
            .logical_or(count(ind[2], positiveInf + negativeInf).gt(0))
            .logical_or(plus.gt(0).logical_and(minus.gt(0)));
        var (sq, sf) = Float32Outcome.Special(v, deviation, terms, gamma[l], nan, plus.gt(0), minus.gt(0), ref bad);
        return (sq, sf, 0, (int)sq.shape[1]);
    }

    /// <summary>Batch norm on the perturbed channels: x·scale + shift per channel (any order of libtorch's few operations).</summary>
    private (Tensor, Tensor, int, int) BatchNorm(int l, Tensor p, Tensor e, int start, int size, Tensor rows, ref Tensor bad)
    {
        var step = stack.Steps[l];
        Tensor Channel(Tensor t) => t.narrow(0, start, size).view(1, -1, 1, 1);
        var scale = Channel(step.Scale!);
        var inverse = Channel(step.InverseStd!);
        var cleanIn = clean.Inputs[l].narrow(1, start, size).index_select(0, rows).to_type(ScalarType.Float64);
        var special = p.isfinite().logical_not();
        var finiteP = where(special, cleanIn, p);
        var v = clean.Inputs[l + 1].narrow(1, start, size).index_select(0, rows).to_type(ScalarType.Float64) + (finiteP - cleanIn) * scale;
        var magnitude = (finiteP.abs() + e + Channel(step.Mean!).abs()).masked_fill(special, 0);
        var terms = magnitude * scale.abs() + Channel(step.AbsBias!);
        var weight = scale.abs() / inverse;
        var overflowTerms = magnitude * (inverse.clamp_min(1) * weight.clamp_min(1)) + Channel(step.AbsBias!);
        var deviation = e * scale.abs() + gamma[l] * Float32Outcome.Broadcast(Peak(l, rows), v) + 1e-12 * overflowTerms;
        var (q, f) = Float32Outcome.Classify(v, deviation, terms, overflowTerms, gamma[l], ref bad);
        if (!special.any().item<bool>()) return (q, f, start, size);
        // ∞·scale: ±∞ by the signs, NaN for a zero scale (a scale this small could round to zero in float32: uncertain).
        var tiny = scale.abs().lt(1e-30).expand_as(p);
        var infinite = p.isinf();
        bad = bad.logical_or(infinite.logical_and(tiny).flatten(1).any(1));
        var signed = p * scale.sign();
        q = where(special, signed, q);
        f = f.masked_fill(special, 0);
        return (q, f, start, size);
    }

    /// <summary>Average pooling: a sum over each window, divided; ∞ and NaN spread over the windows they fall in.</summary>
    private (Tensor, Tensor, int, int) AveragePool(int l, Tensor p, Tensor e, int start, int size, Tensor rows, ref Tensor bad)
    {
        e = e.expand_as(p);
        var step = stack.Steps[l];
        var cleanIn = clean.Inputs[l].narrow(1, start, size).index_select(0, rows).to_type(ScalarType.Float64);
        var special = p.isfinite().logical_not();
        var finiteP = where(special, cleanIn, p);
        var v = clean.Inputs[l + 1].narrow(1, start, size).index_select(0, rows).to_type(ScalarType.Float64) + step.Module.call(finiteP - cleanIn);
        var magnitude = (finiteP.abs() + e).masked_fill(special, 0);
        var mean = step.Module.call(magnitude);
        double window = p.shape[2] * p.shape[3]; // no window is larger than the whole map: bounds the sum before division
        var peak = Float32Outcome.Broadcast(Peak(l, rows), v);
        var deviation = step.Module.call(e) + gamma[l] * (peak + mean) + 1e-12 * window * mean;
        var (q, f) = Float32Outcome.Classify(v, deviation, peak + mean, window * (peak + mean), gamma[l], ref bad);
        if (!special.any().item<bool>()) return (q, f, start, size);
        var plus = step.Module.call(p.eq(double.PositiveInfinity).to_type(ScalarType.Float64)).gt(0);
        var minus = step.Module.call(p.eq(double.NegativeInfinity).to_type(ScalarType.Float64)).gt(0);
        var nan = step.Module.call(p.isnan().to_type(ScalarType.Float64)).gt(0).logical_or(plus.logical_and(minus));
        var finiteSafe = (window * (peak + mean) * (1 + gamma[l])).lt(Float32Outcome.Finite);
        bad = bad.logical_or(plus.logical_or(minus).logical_and(nan.logical_not()).logical_and(finiteSafe.logical_not()).flatten(1).any(1));
        q = where(nan, double.NaN, where(plus, double.PositiveInfinity, where(minus, double.NegativeInfinity, q)));
        f = f.masked_fill(nan.logical_or(plus).logical_or(minus), 0);
        return (q, f, start, size);
    }

    /// <summary>The cached clean float32 output of channel (unit) <paramref name="unit"/> of step <paramref name="at"/>, in float64.</summary>
    private Tensor CleanOutput(int at, int unit, Tensor rows) =>
        clean.Inputs[at + 1].narrow(1, unit, 1).index_select(0, rows).to_type(ScalarType.Float64);

    /// <summary>Per row, the largest Σ|w·x| + |b| of step l's clean sums, shaped [rows].</summary>
    private Tensor Peak(int l, Tensor rows)
    {
        if (termPeak[l] is null)
            using (NewDisposeScope()) termPeak[l] = tensor(clean.TermPeak[l]!, ScalarType.Float64).to(rows.device).DetachFromDisposeScope();
        return termPeak[l]!.index_select(0, rows);
    }

    private Tensor[] Indicators(int l)
    {
        if (indicators[l] is { } made) return made;
        var w = stack.Steps[l].Weight!;
        using var scope = NewDisposeScope();
        var result = new[] { w.gt(0), w.lt(0), w.eq(0), ones_like(w, dtype: ScalarType.Bool) }.Select(t => t.to_type(ScalarType.Float64).DetachFromDisposeScope()).ToArray();
        return indicators[l] = result;
    }

    /// <summary>Releases the indicator weights.</summary>
    public void Release()
    {
        foreach (var set in indicators) if (set is not null) foreach (var t in set) t.Dispose();
        foreach (var t in termPeak) t?.Dispose();
    }
}
