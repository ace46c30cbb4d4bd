using System.Collections.Concurrent;
using FlipGuard.Faults.Targets;
using static TorchSharp.torch;

namespace FlipGuard.Faults.Evaluation.FullyConnected;

/// <summary>
/// The fast, exact single-change evaluator for fully connected ReLU networks. A change to weight W[i,j] of layer l
/// moves only unit i's pre-activation, by Δ·xⱼ; so for each flip it (1) finds, by binary search in
/// <see cref="SortedSensitivity"/>, the few samples whose margin a change that large could overcome at all, (2) proves
/// most of those unchanged with a sharper per-sample bound, (3) recomputes the rest incrementally in float64 with a
/// rigorous bound on float32 rounding (<see cref="FloatRounding"/>), and (4) hands anything it cannot certify — NaN/∞
/// values, near-ties within rounding, magnitudes near overflow — to torch itself. Every count therefore equals the naive
/// path's; the tests check this flip for flip.
/// Why one file of over 400 lines: the four stages share the evaluator's precomputed per-layer state (sorted lists,
/// budgets, the silenced-unit memo, scratch buffers) inside the per-flip hot loop; split into classes, each flip would
/// hand that state across objects. The pieces that stand alone (rounding slack, saturation, sorted lists) are files.
/// </summary>
public sealed class LinearChainEvaluator : IFlipEvaluator
{
    private readonly LinearChain chain;
    private readonly TorchSubsetEvaluation torch;
    private readonly (int Layer, bool Bias)[] map;
    private readonly SortedSensitivity[][] inputLists;
    private readonly SortedSensitivity[] biasLists;
    private readonly HiddenUnitSaturation?[] saturation;
    private readonly ChainRoundingSlack slack;
    /// <summary>budgets[l-1][s] = 1 / (margin − rounding allowance): the sample part of the sorted-list keys.</summary>
    private readonly float[][] budgets;
    /// <summary>silenced[l-1][unit·N + s]: the outcome for sample s when hidden unit 'unit' of layer l is forced to 0 (memo).</summary>
    private readonly sbyte[][] silenced;
    private long fallbackFlips, fallbackSamples, certifiedSamples;
    private readonly System.Diagnostics.Stopwatch incrementalClock = new(), fullClock = new(), batchedClock = new();

    private LinearChainEvaluator(LinearChain chain, TorchSubsetEvaluation torch, (int, bool)[] map)
    {
        this.chain = chain;
        this.torch = torch;
        this.map = map;
        CleanCorrect = chain.Correct.LongCount(c => c);
        int n = chain.Samples;
        slack = ChainRoundingSlack.Compute(chain);
        budgets = new float[chain.Layers][];
        for (int l = 1; l <= chain.Layers; l++)
        {
            var budget = budgets[l - 1] = new float[n];
            for (int s = 0; s < n; s++)
            {
                double room = chain.Margin[s] - slack.FirstFilter[l - 1][s];
                budget[s] = room > 0 ? (float)(1 / room) : float.PositiveInfinity;
            }
        }
        silenced = Enumerable.Range(1, chain.Layers).Select(l => l == chain.Layers ? [] : Enumerable.Repeat(NotYetKnown, chain.Width[l] * n).ToArray()).ToArray();
        saturation = Enumerable.Range(1, chain.Layers).Select(l => HiddenUnitSaturation.TryCreate(chain, l)).ToArray();
        biasLists = new SortedSensitivity[chain.Layers];
        inputLists = new SortedSensitivity[chain.Layers][];
        for (int l = 1; l <= chain.Layers; l++)
        {
            var budget = budgets[l - 1];
            biasLists[l - 1] = new SortedSensitivity(budget);
            int width = chain.Width[l - 1];
            var lists = new SortedSensitivity[width];
            var inputs = chain.Inputs[l - 1];
            Parallel.For(0, width, j =>
            {
                var key = new float[n];
                for (int s = 0; s < n; s++) key[s] = Math.Abs(inputs[s * width + j]) * budget[s];
                lists[j] = new SortedSensitivity(key);
            });
            inputLists[l - 1] = lists;
        }
    }

    /// <summary>
    /// Builds the evaluator when <paramref name="model"/> is a fully connected ReLU chain whose flippable tensors
    /// (<paramref name="tensorNames"/>, in FlipTarget order) are its weights and biases; returns null otherwise.
    /// </summary>
    public static LinearChainEvaluator? TryCreate(nn.Module<Tensor, Tensor> model, IReadOnlyList<string> tensorNames, IReadOnlyList<Tensor> tensors, Tensor images, Tensor labels, int chunk = 1000)
    {
        var chain = LinearChain.TryCreate(model, images, labels, chunk);
        if (chain is null) return null;
        var modules = model.named_modules().ToDictionary(m => m.name, m => m.module);
        var map = new (int, bool)[tensorNames.Count];
        for (int t = 0; t < tensorNames.Count; t++)
        {
            string name = tensorNames[t];
            int dot = name.LastIndexOf('.');
            int layer = dot >= 0 && modules.TryGetValue(name[..dot], out var owner) ? Array.FindIndex(chain.Linears, l => ReferenceEquals(l, owner)) : -1;
            string kind = dot < 0 ? "" : name[(dot + 1)..];
            if (layer < 0 || kind is not ("weight" or "bias")) return null;
            map[t] = (layer + 1, kind == "bias");
        }
        return new LinearChainEvaluator(chain, new TorchSubsetEvaluation(model, tensors, images, labels, chunk), map);
    }

    /// <inheritdoc />
    public int Samples => chain.Samples;

    /// <inheritdoc />
    public long CleanCorrect { get; }

    /// <summary>Flips whose undecided samples went through the batched torch fallback (a subset of the fallback flips).</summary>
    public long BatchedFallbackFlips { get; private set; }

    /// <summary>How much work went to torch: flips with a fallback, samples re-evaluated, samples certified incrementally.</summary>
    public (long FallbackFlips, long FallbackSamples, long CertifiedSamples) Statistics => (fallbackFlips, fallbackSamples, certifiedSamples);

    /// <summary>Where the time went: incremental float64 work, whole-set torch re-evaluations, batched torch fallback.</summary>
    public (TimeSpan Incremental, TimeSpan FullFallback, TimeSpan BatchedFallback) Timing => (incrementalClock.Elapsed, fullClock.Elapsed, batchedClock.Elapsed);

    /// <inheritdoc />
    public void Evaluate(ReadOnlySpan<ParameterChange> changes, Span<long> correct)
    {
        var items = changes.ToArray();
        var results = new long[items.Length];
        var fallback = new ConcurrentBag<(int Item, List<int>? Samples)>();
        incrementalClock.Start();
        Parallel.For(0, items.Length, () => new Scratch(chain.Width.Max()), (k, _, scratch) =>
        {
            results[k] = EvaluateOne(items[k], scratch, out var uncertain, out bool all);
            if (all) fallback.Add((k, null));
            else if (uncertain is { Count: > 0 }) fallback.Add((k, uncertain));
            return scratch;
        }, _ => { });
        incrementalClock.Stop();
        var partial = new List<(int Item, List<int> Samples)>();
        foreach (var (item, samples) in fallback.OrderBy(f => f.Item))
        {
            fallbackFlips++;
            if (samples is null)
            {
                fallbackSamples += chain.Samples;
                fullClock.Start();
                results[item] = torch.CountCorrect(items[item], null);
                fullClock.Stop();
            }
            else
            {
                fallbackSamples += samples.Count;
                partial.Add((item, samples));
            }
        }
        BatchedFallbackFlips += partial.Count;
        batchedClock.Start();
        foreach (var group in partial.GroupBy(p => map[items[p.Item].Tensor].Layer))
            BatchedFallback(group.Key, group.ToList(), items, results);
        batchedClock.Stop();
        results.CopyTo(correct);
    }

    /// <summary>
    /// Torch's own float32 result for the undecided (flip, sample) pairs of one layer, many flips at a time: the
    /// changed unit's value comes from <c>linear</c> calls whose weight rows are the flipped rows of a block of
    /// <see cref="TorchSubsetEvaluation.MinimumRows"/> flips (an entry of that product depends only on its own row and
    /// column, as in the naive pass), the layers above from the model's own modules on the rebuilt activations. Every
    /// product has at least 64 rows and columns, the size from which libtorch's CPU kernels give each entry the same
    /// bits as in the naive 1000-sample chunks; blocking keeps the product from growing as flips × samples.
    /// </summary>
    private void BatchedFallback(int layer, List<(int Item, List<int> Samples)> flips, ParameterChange[] items, long[] results)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        int outWidth = chain.Width[layer], classes = chain.Width[chain.Layers], block = TorchSubsetEvaluation.MinimumRows;
        int rows = flips.Sum(f => f.Samples.Count), paddedRows = Math.Max(rows, block);
        var owner = new int[paddedRows];
        var sample = new int[paddedRows];
        int r = 0;
        for (int f = 0; f < flips.Count; f++)
            foreach (int s in flips[f].Samples) { owner[r] = f; sample[r] = s; r++; }
        for (int k = rows; k < paddedRows; k++) { owner[k] = owner[k % rows]; sample[k] = sample[k % rows]; }
        var activations = new float[paddedRows * outWidth];
        var source = layer == chain.Layers ? chain.Pre[layer - 1] : chain.Inputs[layer];
        for (int k = 0; k < paddedRows; k++) source.AsSpan(sample[k] * outWidth, outWidth).CopyTo(activations.AsSpan(k * outWidth));
        int first = 0;
        for (int f0 = 0; f0 < flips.Count; f0 += block)
        {
            int f1 = Math.Min(flips.Count, f0 + block), last = first;
            while (last < rows && owner[last] < f1) last++;
            ChangedUnits(layer, flips, f0, f1, sample, owner, first, last, items, activations);
            first = last;
        }
        for (int k = rows; k < paddedRows; k++) activations.AsSpan((k % rows) * outWidth, outWidth).CopyTo(activations.AsSpan(k * outWidth));
        var h = tensor(activations, new long[] { paddedRows, outWidth });
        for (int l = layer + 1; l <= chain.Layers; l++)
        {
            h = chain.Linears[l - 1].call(h);
            if (l < chain.Layers) h = nn.functional.relu(h);
        }
        var logits = h.contiguous().data<float>().ToArray();
        for (int k = 0; k < rows; k++)
        {
            int predicted = LinearChain.ArgMax(logits.AsSpan(k * classes, classes));
            if (predicted == chain.Labels[sample[k]]) results[flips[owner[k]].Item]++;
        }
    }

    /// <summary>
    /// Writes into <paramref name="activations"/> rows [first, last) the changed unit's value as torch computes it, for
    /// the flips f0…f1−1 (one <c>linear</c> call, rows and columns padded to the minimum batch by repetition).
    /// </summary>
    private void ChangedUnits(int layer, List<(int Item, List<int> Samples)> flips, int f0, int f1, int[] sample, int[] owner,
        int first, int last, ParameterChange[] items, float[] activations)
    {
        int inWidth = chain.Width[layer - 1], outWidth = chain.Width[layer], block = TorchSubsetEvaluation.MinimumRows;
        int count = last - first, paddedRows = Math.Max(count, block), flipCount = f1 - f0;
        var x = new float[paddedRows * inWidth];
        for (int k = 0; k < paddedRows; k++)
            chain.Inputs[layer - 1].AsSpan(sample[first + k % count] * inWidth, inWidth).CopyTo(x.AsSpan(k * inWidth));
        var w = new float[block * inWidth];
        var b = new float[block];
        var units = new int[flipCount];
        for (int c = 0; c < block; c++)
        {
            var change = items[flips[f0 + c % flipCount].Item];
            bool isBias = map[change.Tensor].Bias;
            int unit = isBias ? (int)change.Index : (int)(change.Index / inWidth);
            if (c < flipCount) units[c] = unit;
            chain.Weights[layer - 1].AsSpan(unit * inWidth, inWidth).CopyTo(w.AsSpan(c * inWidth));
            b[c] = chain.Biases[layer - 1][unit];
            if (isBias) b[c] = change.NewValue; else w[c * inWidth + (int)(change.Index % inWidth)] = change.NewValue;
        }
        var linear = chain.Linears[layer - 1];
        using var product = nn.functional.linear(tensor(x, new long[] { paddedRows, inWidth }), tensor(w, new long[] { block, inWidth }),
            linear.bias is null ? null : tensor(b, new long[] { block }));
        var values = product.contiguous().data<float>();
        for (int k = 0; k < count; k++)
        {
            int column = owner[first + k] - f0;
            float v = values[k * block + column];
            activations[(first + k) * outWidth + units[column]] = layer == chain.Layers || float.IsNaN(v) || v > 0 ? v : 0f; // ReLU as torch does it (NaN stays NaN)
        }
    }

    /// <summary>
    /// Correct count with the change, excluding the samples listed in <paramref name="uncertain"/> (left for torch),
    /// or <paramref name="all"/> = true when torch must evaluate everything.
    /// </summary>
    private long EvaluateOne(ParameterChange change, Scratch scratch, out List<int>? uncertain, out bool all)
    {
        uncertain = null;
        all = false;
        var (layer, isBias) = map[change.Tensor];
        int inWidth = chain.Width[layer - 1];
        int unit = isBias ? (int)change.Index : (int)(change.Index / inWidth);
        int feature = isBias ? -1 : (int)(change.Index % inWidth);
        float old = isBias ? chain.Biases[layer - 1][unit] : chain.Weights[layer - 1][change.Index];
        if (BitConverter.SingleToInt32Bits(old) == BitConverter.SingleToInt32Bits(change.NewValue)) return CleanCorrect;
        if (!float.IsFinite(change.NewValue)) { all = true; return 0; }
        double delta = (double)change.NewValue - old;
        if (delta == 0) return CleanCorrect; // +0 ↔ −0: every product keeps its value
        double threshold = 1 / (UnitFactor(layer, unit, chain.PairMax[layer - 1][unit]) * Math.Abs(delta));
        var candidates = isBias ? biasLists[layer - 1].AtLeast(threshold) : inputLists[layer - 1][feature].AtLeast(threshold);
        long result = CleanCorrect;
        var inputs = chain.Inputs[layer - 1];
        if (candidates.Length * 8L > chain.Samples)
        {
            // Many candidates: visit them in sample order (the same set: the key test the sorted list was built
            // from), so the per-sample caches are read sequentially instead of at random.
            var budget = budgets[layer - 1];
            for (int s = 0; s < chain.Samples; s++)
            {
                float key = isBias ? budget[s] : Math.Abs(inputs[s * inWidth + feature]) * budget[s];
                if (threshold > 0 && !(key >= threshold)) continue;
                Tally(s, isBias ? 1 : inputs[s * inWidth + feature], ref result, ref uncertain);
            }
            return result;
        }
        foreach (int s in candidates) Tally(s, isBias ? 1 : inputs[s * inWidth + feature], ref result, ref uncertain);
        return result;

        void Tally(int s, double x, ref long count, ref List<int>? undecided)
        {
            int outcome = Outcome(s, layer, unit, delta * x, scratch);
            if (outcome == Unchanged) return;
            if (chain.Correct[s]) count--;
            if (outcome == Uncertain) (undecided ??= new List<int>()).Add(s);
            else if (outcome == chain.Labels[s]) count++;
        }
    }

    private const int Unchanged = -1, Uncertain = -2;
    private const sbyte NotYetKnown = -3;

    /// <summary>The sample's new prediction, <see cref="Unchanged"/>, or <see cref="Uncertain"/> (torch decides).</summary>
    private int Outcome(int s, int layer, int unit, double change, Scratch scratch)
    {
        int outWidth = chain.Width[layer];
        double pre = chain.Pre[layer - 1][s * outWidth + unit];
        double mag = chain.Magnitude[layer - 1][s * outWidth + unit];
        double newMag = mag + Math.Abs(change);
        if (newMag > FloatRounding.OverflowGuard) return Uncertain;
        double q = pre + change;
        double e = FloatRounding.Gamma(chain.Width[layer - 1] + 1) * (mag + newMag) + 1e-15 * newMag;
        if (layer == chain.Layers) return DecideLastLayer(s, unit, q, e, scratch);
        double clean = chain.Inputs[layer][s * outWidth + unit]; // relu(pre), as the next layer saw it
        if (q + e <= 0)
        {
            // torch's value is ≤ 0 too, so its ReLU output is exactly 0: no rounding error survives the ReLU. The
            // sample then sees the same network whichever flip silenced the unit, so its outcome is computed once.
            if (clean == 0) return Unchanged;
            ref sbyte known = ref silenced[layer - 1][unit * chain.Samples + s];
            if (known != NotYetKnown) return known;
            int outcome = PairwiseSafe(s, layer, unit, clean) ? Unchanged : CountedPropagate(s, layer, unit, -clean, 0, scratch);
            known = (sbyte)outcome;
            return outcome;
        }
        if (saturation[layer - 1] is { } sat && sat.Winner[unit] >= 0 && e <= 1e-3 * q && q > sat.Threshold(unit, s)
            && q * 1.01 * sat.Growth[unit] < 0.5 * FloatRounding.OverflowGuard)
            return sat.Winner[unit];
        double d = Math.Max(q, 0) - clean;
        if (PairwiseSafe(s, layer, unit, Math.Abs(d) + e)) return Unchanged;
        return CountedPropagate(s, layer, unit, d, e, scratch);
    }

    private int CountedPropagate(int s, int layer, int unit, double d, double e, Scratch scratch)
    {
        Interlocked.Increment(ref certifiedSamples);
        return Propagate(s, layer, unit, d, e, scratch);
    }

    /// <summary>Worst-case |Δ(logit p − logit c)| per unit change of <paramref name="unit"/>, rounding growth above it included.</summary>
    private double UnitFactor(int layer, int unit, double pairGain) =>
        ChainRoundingSlack.Inflation * pairGain + (layer == chain.Layers ? 0 : slack.Growth[layer - 1] * chain.Gain[layer - 1][unit]);

    /// <summary>
    /// True when a change of at most <paramref name="size"/> in hidden unit <paramref name="unit"/> cannot close any
    /// gap between the clean prediction p and another class c, rounding above the unit included.
    /// </summary>
    private bool PairwiseSafe(int s, int layer, int unit, double size)
    {
        if (!(chain.Margin[s] > 0)) return false; // NaN, ±∞ or tied clean logits: no shortcut
        int classes = chain.Width[chain.Layers], p = chain.Prediction[s];
        var logits = chain.Pre[chain.Layers - 1].AsSpan(s * classes, classes);
        var gains = chain.PairGain[layer - 1].AsSpan((unit * classes + p) * classes, classes);
        double top = logits[p], allowance = slack.Downstream[layer - 1][s];
        for (int c = 0; c < classes; c++)
        {
            if (c == p) continue;
            double reach = size * UnitFactor(layer, unit, gains[c]) + allowance + 1e-9 * (Math.Abs(top) + Math.Abs(logits[c]));
            if (!(logits[c] + reach < top)) return false;
        }
        return true;
    }

    private int DecideLastLayer(int s, int unit, double q, double e, Scratch scratch)
    {
        int classes = chain.Width[chain.Layers];
        var logits = chain.Pre[chain.Layers - 1].AsSpan(s * classes, classes);
        for (int c = 0; c < classes; c++) { scratch.Q[c] = logits[c]; scratch.E[c] = 0; }
        scratch.Q[unit] = q;
        scratch.E[unit] = e;
        return Decide(scratch.Q.AsSpan(0, classes), scratch.E.AsSpan(0, classes));
    }

    /// <summary>Recomputes layers above <paramref name="layer"/> after unit's activation moved by d (± e), with error bounds.</summary>
    private int Propagate(int s, int layer, int unit, double d, double e, Scratch scratch)
    {
        int w = chain.Width[layer + 1], inW = chain.Width[layer];
        var weights = chain.Weights[layer];
        var pre = chain.Pre[layer];
        var magnitude = chain.Magnitude[layer];
        double gamma = FloatRounding.Gamma(inW + 1);
        var q = scratch.Q;
        var err = scratch.E;
        for (int k = 0; k < w; k++)
        {
            double wk = weights[k * inW + unit];
            double m = magnitude[s * w + k];
            double newMag = m + Math.Abs(wk) * (Math.Abs(d) + e);
            if (newMag > FloatRounding.OverflowGuard) return Uncertain;
            q[k] = pre[s * w + k] + wk * d;
            err[k] = gamma * (m + newMag) + Math.Abs(wk) * e + 1e-15 * newMag;
        }
        for (int l = layer + 2; l <= chain.Layers; l++)
        {
            int inWidth = chain.Width[l - 1], outWidth = chain.Width[l];
            var wl = chain.Weights[l - 1];
            var bl = chain.Biases[l - 1];
            double g = FloatRounding.Gamma(inWidth + 1);
            var r = scratch.R;
            var re = scratch.RE;
            for (int j = 0; j < inWidth; j++) { r[j] = Math.Max(q[j], 0); re[j] = err[j]; }
            for (int k = 0; k < outWidth; k++)
            {
                double sum = bl[k], propagated = 0, mag = Math.Abs(bl[k]);
                int row = k * inWidth;
                for (int j = 0; j < inWidth; j++)
                {
                    double a = Math.Abs(wl[row + j]);
                    sum += wl[row + j] * r[j];
                    propagated += a * re[j];
                    mag += a * (r[j] + re[j]);
                }
                if (mag > FloatRounding.OverflowGuard) return Uncertain;
                q[k] = sum;
                err[k] = propagated + g * mag + 1e-15 * mag;
            }
        }
        int classes = chain.Width[chain.Layers];
        return Decide(q.AsSpan(0, classes), err.AsSpan(0, classes));
    }

    /// <summary>The first-maximum class if every value within its error bound still leaves it strictly on top.</summary>
    private static int Decide(ReadOnlySpan<double> q, ReadOnlySpan<double> e)
    {
        int p = 0;
        for (int c = 1; c < q.Length; c++) if (q[c] > q[p]) p = c;
        double low = q[p] - e[p];
        if (!double.IsFinite(low)) return Uncertain;
        for (int c = 0; c < q.Length; c++)
            if (c != p && !(low > q[c] + e[c])) return Uncertain;
        return p;
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private sealed class Scratch(int width)
    {
        public readonly double[] Q = new double[width], E = new double[width], R = new double[width], RE = new double[width];
    }
}
