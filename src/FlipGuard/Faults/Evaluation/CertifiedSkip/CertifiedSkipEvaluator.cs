using FlipGuard.Faults.Evaluation.FullyConnected;
using FlipGuard.Faults.Evaluation.Incremental;
using FlipGuard.Faults.Targets;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FlipGuard.Faults.Evaluation.CertifiedSkip;

/// <summary>
/// The fast exact evaluator for any zoo architecture built from linear, convolution and batch-norm layers joined by
/// ReLU, pooling, flattening and residual additions. For a change Δ of one entry it bounds every logit's move by
/// gain·|Δ|·x (x: the largest input that entry multiplies in that sample; gain: the unit's worst-case ℓ∞ gain to the
/// logits, measured on an |W| copy of the network), skips — provably unchanged — every sample whose margin exceeds
/// twice that plus a generous rounding allowance, and runs torch's own forward on the few samples left. Counts equal
/// the naive path's; the saving is the samples never recomputed.
/// </summary>
public sealed class CertifiedSkipEvaluator : IFlipEvaluator
{
    private const double BoundInflation = 1.01;
    /// <summary>
    /// At most this many uncertified samples go straight to torch, past the incremental pass (LeNet-5's mantissa flips:
    /// 166 → 204 flips/s measured with 0 and 96; 200 was slower again).
    /// </summary>
    private const int DirectToTorch = 96;
    private readonly LayerSensitivity[] layers;
    private readonly bool[] isBias;
    private readonly SortedSensitivity[][] lists;
    private readonly SortedSensitivity constantList;
    private readonly bool[] correct;
    private readonly float[][] values;
    private readonly TorchSubsetEvaluation torch;
    private readonly IncrementalDecision? incremental;
    /// <summary>Per tensor, per unit: samples sorted by the <see cref="ReluAblation"/> bound (null where it does not apply).</summary>
    private readonly SortedSensitivity[]?[] ablation;
    /// <summary>Per convolution weight tensor, per weight: samples sorted by the <see cref="PositionSensitivity"/> bound (null where it does not apply).</summary>
    private readonly SortedSensitivity[]?[] positions;

    private CertifiedSkipEvaluator(LayerSensitivity[] layers, bool[] isBias, bool[] correct, double[] room, float[][] values, TorchSubsetEvaluation torch, IncrementalDecision? incremental)
    {
        (this.layers, this.isBias, this.correct, this.values, this.torch, this.incremental) = (layers, isBias, correct, values, torch, incremental);
        Samples = correct.Length;
        CleanCorrect = correct.LongCount(c => c);
        var budget = room.Select(r => r > 0 ? (float)(1 / r) : float.PositiveInfinity).ToArray();
        constantList = new SortedSensitivity(budget);
        lists = new SortedSensitivity[layers.Length][];
        var built = new Dictionary<LayerSensitivity, SortedSensitivity[]>();
        for (int t = 0; t < layers.Length; t++)
        {
            var layer = layers[t];
            if (built.TryGetValue(layer, out var existing)) { lists[t] = existing; continue; }
            var perFeature = new SortedSensitivity[layer.FeatureCount];
            Parallel.For(0, layer.FeatureCount, f =>
            {
                var key = new float[Samples];
                for (int s = 0; s < Samples; s++) key[s] = layer.Features[s * layer.FeatureCount + f] * budget[s];
                perFeature[f] = new SortedSensitivity(key);
            });
            lists[t] = built[layer] = perFeature;
        }
        ablation = new SortedSensitivity[]?[layers.Length];
        positions = new SortedSensitivity[]?[layers.Length];
        if (incremental is null) return;
        var measured = new Dictionary<int, (SortedSensitivity[] Lists, bool Weights)?>();
        for (int t = 0; t < layers.Length; t++)
        {
            int step = incremental.StepOf(t);
            if (step < 0) continue; // before the cached suffix
            if (!measured.TryGetValue(step, out var entry))
            {
                entry = incremental.Ablation(step) is { } m
                    ? (Enumerable.Range(0, m.Units).Select(o => new SortedSensitivity(Enumerable.Range(0, Samples).Select(s => m.Bound[s * m.Units + o] * budget[s]).ToArray())).ToArray(), m.Weights)
                    : null;
                measured[step] = entry;
            }
            if (entry is { } e && (isBias[t] || e.Weights)) ablation[t] = e.Lists;
            if (!isBias[t] && incremental.Positions(step) is { } bound)
            {
                int weights = bound.Length / Samples;
                var perWeight = new SortedSensitivity[weights];
                Parallel.For(0, weights, w =>
                {
                    var key = new float[Samples];
                    for (int s = 0; s < Samples; s++) key[s] = bound[(long)s * weights + w] * budget[s];
                    perWeight[w] = new SortedSensitivity(key);
                });
                positions[t] = perWeight;
            }
        }
    }

    /// <summary>Samples evaluated.</summary>
    public int Samples { get; }

    /// <inheritdoc />
    public long CleanCorrect { get; }

    /// <summary>Samples handed to torch so far (the rest were certified unchanged or decided incrementally).</summary>
    public long RecomputedSamples { get; private set; }

    /// <summary>Samples decided by the incremental float64 pass so far (<see cref="IncrementalDecision"/>).</summary>
    public long IncrementalSamples { get; private set; }

    /// <summary>Of <see cref="IncrementalSamples"/>, those decided by following float32 overflow, ±∞ and NaN (<see cref="OverflowDecision"/>).</summary>
    public long OverflowSamples => incremental?.Overflow.Decided ?? 0;

    /// <summary>Time spent in the incremental pass and in torch's forward so far: where the time goes.</summary>
    public (TimeSpan Incremental, TimeSpan Torch) Time => (incrementalClock.Elapsed, torchClock.Elapsed);

    private readonly System.Diagnostics.Stopwatch incrementalClock = new(), torchClock = new();

    /// <summary>Batch sizes torch's forward may use for small sets of samples (<see cref="TorchSubsetEvaluation.Calibrate"/>).</summary>
    public IReadOnlyList<int> SmallBatches => torch.SmallBatches;

    /// <summary>Whether uncertified samples first go through the incremental float64 pass (the network is a plain layer stack).</summary>
    public bool Incremental => incremental is not null;

    /// <summary>Whether the incremental pass caches only the stack's later layers (the whole would not fit its budget).</summary>
    public bool IncrementalSuffix => incremental is { Uncached: > 0 };

    /// <summary>
    /// Builds the evaluator for <paramref name="model"/>'s flippable tensors, or returns null when one of them belongs
    /// to a layer type it has no bound for (the caller then uses the naive path). With a positive
    /// <paramref name="incrementalBudgetBytes"/> (the most memory its activation cache may take), a plain layer stack
    /// also gets the incremental float64 pass for the samples the bound leaves.
    /// </summary>
    public static CertifiedSkipEvaluator? TryCreate(nn.Module<Tensor, Tensor> model, IReadOnlyList<string> names, IReadOnlyList<Tensor> tensors, Tensor images, Tensor labels, int chunk = 1000, long incrementalBudgetBytes = 0)
    {
        var modules = model.named_modules().ToDictionary(m => m.name, m => m.module);
        int n = (int)images.shape[0];
        var byModule = new Dictionary<string, LayerSensitivity>();
        var owners = new LayerSensitivity[names.Count];
        var bias = new bool[names.Count];
        for (int t = 0; t < names.Count; t++)
        {
            int dot = names[t].LastIndexOf('.');
            if (dot < 0 || !modules.TryGetValue(names[t][..dot], out var module)) return null;
            string kind = names[t][(dot + 1)..];
            if (kind is not ("weight" or "bias")) return null;
            bias[t] = kind == "bias";
            if (!byModule.TryGetValue(names[t][..dot], out var layer))
            {
                layer = module switch
                {
                    Linear l => new LayerSensitivity("linear", l, (int)l.weight!.shape[0], (int)l.weight.shape[1], n),
                    Conv2d c when c.groups == 1 => new LayerSensitivity("conv", c, (int)c.weight!.shape[0], (int)(c.weight.shape[1] * c.weight.shape[2] * c.weight.shape[3]), n),
                    BatchNorm2d b => new LayerSensitivity("batchnorm", b, (int)b.weight!.shape[0], (int)b.weight.shape[0], n),
                    _ => null,
                };
                if (layer is null) return null;
                byModule[names[t][..dot]] = layer;
            }
            owners[t] = layer;
        }
        var distinct = byModule.Values.ToArray();
        var (logits, hooked) = CleanPass(model, distinct, images, chunk);
        if (!hooked) return null; // some layer is run without its hooks (e.g. inside a container that bypasses them)
        var labelArray = labels.to_type(ScalarType.Int32).data<int>().ToArray();
        int classes = logits.Length / n;
        var (_, correct, margin) = CleanMargins.Compute(logits, labelArray, classes);
        var magnitude = AbsoluteNetwork.Measure(model, distinct, images, chunk);
        var incremental = incrementalBudgetBytes > 0 ? IncrementalDecision.TryCreate(model, names, images, labelArray, logits, chunk, incrementalBudgetBytes) : null;
        // Rounding allowance without a layer stack: 0.1% of the sample's magnitude bound at the logits. Float32 rounding adds at most
        // Σ_layers γ_n·(magnitude) ≈ n·2⁻²⁴ per layer (≤ 2.5e-5 for the zoo's widest dot products, a few layers deep),
        // so this is several times the worst case; a larger allowance only sends more samples to torch.
        // With a layer stack, the rounding allowance is its per-sample clean error bound E (each logit of the clean and
        // of the flipped forward within E, resp. E + Σγ·(what the flip adds), of the exact values; BoundInflation covers
        // the Σγ ≤ 0.5% factor): far tighter than the all-units magnitude bound.
        var room = Enumerable.Range(0, n).Select(s => incremental is null
            ? margin[s] - 1e-3 * magnitude[s] - 1e-6 * Math.Abs(margin[s])
            : margin[s] - 4 * BoundInflation * incremental.CleanError[s] - 1e-6 * Math.Abs(margin[s]) - 1e-20).ToArray();
        var values = tensors.Select(t => t.detach().cpu().contiguous().view(-1).data<float>().ToArray()).ToArray();
        var subsets = new TorchSubsetEvaluation(model, tensors, images, labels, chunk);
        subsets.Calibrate(logits);
        return new CertifiedSkipEvaluator(owners, bias, correct, room, values, subsets, incremental);
    }

    private static (float[] Logits, bool Hooked) CleanPass(nn.Module<Tensor, Tensor> model, LayerSensitivity[] layers, Tensor images, int chunk)
    {
        int n = (int)images.shape[0];
        float[]? logits = null;
        var seen = new HashSet<LayerSensitivity>();
        int start = 0;
        var removers = layers.Select(layer => ((nn.Module<Tensor, Tensor>)layer.Module).register_forward_pre_hook((_, input) =>
        {
            layer.Capture(input, start);
            seen.Add(layer);
            return input;
        })).ToList();
        try
        {
            model.eval();
            using var noGrad = no_grad();
            for (start = 0; start < n; start += chunk)
            {
                using var scope = NewDisposeScope();
                int len = Math.Min(chunk, n - start);
                var output = model.forward(images.narrow(0, start, len)).contiguous();
                logits ??= new float[n * output.shape[1]];
                output.data<float>().CopyTo(logits.AsSpan(start * (int)output.shape[1], len * (int)output.shape[1]));
            }
        }
        finally
        {
            foreach (var r in removers) r.remove();
        }
        return (logits!, seen.Count == layers.Length);
    }

    /// <inheritdoc />
    public void Evaluate(ReadOnlySpan<ParameterChange> changes, Span<long> result)
    {
        for (int k = 0; k < changes.Length; k++) result[k] = EvaluateOne(changes[k]);
    }

    private long EvaluateOne(ParameterChange change)
    {
        float old = values[change.Tensor][change.Index];
        if (BitConverter.SingleToInt32Bits(old) == BitConverter.SingleToInt32Bits(change.NewValue)) return CleanCorrect;
        if (!float.IsFinite(change.NewValue))
        {
            RecomputedSamples += Samples;
            return Torch(change, null);
        }
        double delta = (double)change.NewValue - old;
        if (delta == 0) return CleanCorrect;
        var layer = layers[change.Tensor];
        var (unit, feature) = layer.Locate(isBias[change.Tensor], change.Index);
        double threshold = 1 / (2 * BoundInflation * layer.Gain[unit] * Math.Abs(delta));
        var candidates = (feature < 0 ? constantList : lists[change.Tensor][feature]).AtLeast(threshold);
        if (candidates.Length > 0 && positions[change.Tensor] is { } byWeight)
        {
            var fewer = byWeight[change.Index].AtLeast(1 / (2 * BoundInflation * Math.Abs(delta)));
            if (fewer.Length < candidates.Length) candidates = fewer;
        }
        // A decrease before a ReLU moves the unit's output by at most its clean value (however large the decrease).
        if (delta < 0 && candidates.Length > 0 && ablation[change.Tensor] is { } lowered)
        {
            var fewer = lowered[unit].AtLeast(1 / (2 * BoundInflation * layer.Gain[unit]));
            if (fewer.Length < candidates.Length) candidates = fewer;
        }
        if (candidates.Length == 0) return CleanCorrect;
        // A change beyond 10³⁰ (an exponent-MSB flip) overflows float32 sums in nearly every sample: the difference-form
        // pass would hand almost all of them back, so the IEEE pass that follows ±∞ and NaN takes them.
        if (incremental is not null && Math.Abs(delta) >= 1e30 && OverflowPays(change.Tensor)) return DecideIncrementally(change, delta, 0, candidates, overflow: true);
        // A few candidates are cheaper in torch's small batches than through the pass's fixed cost of some sixty tensor
        // operations (and some of them are the samples no pass decides anyway).
        if (incremental is not null && Math.Abs(delta) < 1e30 && incremental.Worthwhile(change.Tensor) && candidates.Length > DirectToTorch)
            return DecideIncrementally(change, delta, layer.Gain[unit], candidates);
        if (candidates.Length * 2L > Samples)
        {
            // Most samples uncertified: one plain pass is cheaper than gathering them (and is the naive path itself).
            RecomputedSamples += Samples;
            return Torch(change, null);
        }
        long count = CleanCorrect;
        foreach (int s in candidates) if (correct[s]) count--;
        RecomputedSamples += candidates.Length;
        return count + Torch(change, candidates.ToArray());
    }

    /// <summary>
    /// Whether the overflow pass is worth running for a flip of tensor <paramref name="tensor"/>: its first
    /// <see cref="OverflowTrials"/> flips per layer are tried where the static cost model allows, or everywhere when
    /// the pass can retire NaN rows early (the model cannot know how soon); after that, measured: the pass's time plus
    /// torch's for the samples it left against torch's for all its candidates (at torch's measured time per sample).
    /// Only speed depends on this; every count is exact either way.
    /// </summary>
    private bool OverflowPays(int tensor)
    {
        int step = incremental!.StepOf(tensor);
        if (step < 0) return false;
        var (seconds, left, tried, flips) = overflowCost.GetValueOrDefault(step);
        if (flips < OverflowTrials) return incremental.Overflow.Worthwhile(tensor) || incremental.Overflow.RetiresEarly(tensor);
        if (RecomputedSamples == 0) return true; // nothing to compare with yet: torch has not been needed
        double perSample = torchClock.Elapsed.TotalSeconds / RecomputedSamples;
        return seconds + left * perSample < tried * perSample;
    }

    /// <summary>Overflow-pass flips measured per layer before <see cref="OverflowPays"/> compares.</summary>
    private const int OverflowTrials = 4;

    /// <summary>Per step: the overflow pass's seconds, samples it left to torch, samples it was given, flips.</summary>
    private readonly Dictionary<int, (double Seconds, long Left, long Tried, int Flips)> overflowCost = new();

    private long DecideIncrementally(ParameterChange change, double delta, double gain, ReadOnlySpan<int> candidates, bool overflow = false)
    {
        var undecided = new List<int>();
        var started = incrementalClock.Elapsed;
        incrementalClock.Start();
        long count = CleanCorrect + (overflow
            ? incremental!.Overflow.Decide(change.Tensor, change.Index, change.NewValue, delta, candidates, undecided)
            : incremental!.Decide(change.Tensor, change.Index, delta, gain, candidates, undecided));
        incrementalClock.Stop();
        if (overflow)
        {
            int step = incremental.StepOf(change.Tensor);
            var (seconds, left, tried, flips) = overflowCost.GetValueOrDefault(step);
            overflowCost[step] = (seconds + (incrementalClock.Elapsed - started).TotalSeconds, left + undecided.Count, tried + candidates.Length, flips + 1);
        }
        foreach (int s in candidates) if (correct[s]) count--;
        if (undecided.Count * 2L > Samples)
        {
            RecomputedSamples += Samples;
            return Torch(change, null);
        }
        IncrementalSamples += candidates.Length - undecided.Count;
        if (undecided.Count == 0) return count;
        RecomputedSamples += undecided.Count;
        return count + Torch(change, undecided);
    }

    private long Torch(ParameterChange change, IReadOnlyList<int>? samples)
    {
        torchClock.Start();
        try
        {
            return torch.CountCorrect(change, samples);
        }
        finally
        {
            torchClock.Stop();
        }
    }

    /// <inheritdoc />
    public void Dispose() => incremental?.Dispose();
}
