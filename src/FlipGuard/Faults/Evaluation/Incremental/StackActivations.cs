using static TorchSharp.torch;

namespace FlipGuard.Faults.Evaluation.Incremental;

/// <summary>
/// The clean forward of a <see cref="LayerStack"/>, kept for every evaluation sample: the float32 tensor entering each
/// layer (what the naive path computes there, bit for bit: the same layers run on the same chunks), the logits, and,
/// per sample, two float64 magnitude bounds from the |W| pass (|x| in, |W| and |bias| in every layer): at the logits
/// (what float32 rounding error scales with) and the largest anywhere (what decides whether a float32 sum could
/// overflow). Also Σγₙ over the stack's layers, the rounding factor of <see cref="FloatRounding"/> summed. For a
/// <see cref="LayerStack.Suffix"/> the bounds start at its input, the prefix's float32 output taken as exact: the flips
/// the pass decides are all in the suffix, where that output is what the naive path's perturbed forward starts from
/// too, so only the rounding from there on separates the two.
/// </summary>
internal sealed class StackActivations : IDisposable
{
    private StackActivations(Tensor[] inputs, float[] logits, int classes, double[] outputMagnitude, double[] peakMagnitude, double[] cleanError,
        double[] maskedError, double[]?[] deadSlack, double[]?[] termPeak, double roundingSum)
    {
        (Inputs, Logits, Classes, OutputMagnitude, PeakMagnitude, CleanError, MaskedError, DeadSlack, TermPeak, RoundingSum) =
            (inputs, logits, classes, outputMagnitude, peakMagnitude, cleanError, maskedError, deadSlack, termPeak, roundingSum);
    }

    /// <summary>
    /// Fraction of a ReLU layer's largest |input| (per sample) that a unit must lie below −2E to count as dead in
    /// <see cref="MaskedError"/>: the perturbation a flip may bring to that layer and still use the masked bound.
    /// </summary>
    public const double DeadFraction = 1e-3;

    /// <summary>Samples per block of the float64 bound computation.</summary>
    private const int BoundBlock = 128;

    /// <summary>Inputs[l]: what enters step l for all samples (float32); Inputs[^1]: the logits.</summary>
    public Tensor[] Inputs { get; }
    public float[] Logits { get; }
    public int Classes { get; }
    public double[] OutputMagnitude { get; }
    public double[] PeakMagnitude { get; }

    /// <summary>
    /// Per sample, a bound on how far any clean float32 logit can be from the exact one: each layer's rounding
    /// (γₙ × Σ|w·x| over the sample's real activations) carried to the logits through the |W| network. Far tighter
    /// than Σγₙ × <see cref="OutputMagnitude"/>, which assumes every unit active.
    /// </summary>
    public double[] CleanError { get; }

    /// <summary>
    /// <see cref="CleanError"/> with dead ReLU units stopping the error: a unit whose clean input is below
    /// −(2·E + τ) (E: the error bound there, τ: <see cref="DeadSlack"/>) outputs exactly 0 in the clean forward, in
    /// the exact one and in any forward whose perturbation at that layer stays within τ, so no error passes it. Valid
    /// for a flip only while its perturbation bound at every later ReLU layer is at most that layer's τ.
    /// </summary>
    public double[] MaskedError { get; }

    /// <summary>DeadSlack[l][s]: τ of ReLU step l for sample s (null for other steps).</summary>
    public double[]?[] DeadSlack { get; }

    /// <summary>
    /// TermPeak[l][s]: the largest Σ|w·x| + |b| of step l's float32 sums over sample s's real activations (null for
    /// steps that add nothing): what bounds the clean part of every sum there, for <see cref="OverflowDecision"/>.
    /// </summary>
    public double[]?[] TermPeak { get; }
    public double RoundingSum { get; }

    /// <summary>
    /// Runs the stack over <paramref name="images"/> in chunks of <paramref name="chunk"/>; returns null when its logits
    /// differ by a bit from <paramref name="referenceLogits"/> (the model's own forward), i.e. the network does not run
    /// what it declares.
    /// </summary>
    public static StackActivations? TryCreate(LayerStack stack, Tensor images, int chunk, ReadOnlySpan<float> referenceLogits)
    {
        using var noGrad = no_grad();
        int n = (int)images.shape[0], k = stack.Steps.Length;
        var inputs = new Tensor?[k + 1];
        var outputMagnitude = new double[n];
        var peak = new double[n];
        var error = new double[n];
        var maskedError = new double[n];
        var deadSlack = new double[]?[k];
        var termPeak = new double[]?[k];
        for (int l = 0; l < k; l++)
        {
            if (stack.Steps[l].Kind == StackStepKind.Relu) deadSlack[l] = new double[n];
            if (stack.Steps[l].Kind is StackStepKind.Convolution or StackStepKind.Linear or StackStepKind.BatchNorm or StackStepKind.AveragePool or StackStepKind.Residual) termPeak[l] = new double[n];
        }
        // The float32 forward on the naive path's chunks: what the naive pass computes, layer by layer.
        for (int start = 0; start < n; start += chunk)
        {
            using var scope = NewDisposeScope();
            int len = Math.Min(chunk, n - start);
            var x = images.narrow(0, start, len);
            if (stack.Prefix.Length > 0) x = stack.RunPrefix(x);
            for (int l = 0; l <= k; l++)
            {
                if (inputs[l] is null)
                {
                    var shape = x.shape.ToArray();
                    shape[0] = n;
                    inputs[l] = empty(shape, dtype: x.dtype, device: x.device).DetachFromDisposeScope();
                }
                inputs[l]!.narrow(0, start, len).copy_(x);
                if (l == k) break;
                var step = stack.Steps[l];
                var y = step.Kind == StackStepKind.Residual ? x + step.Skip(inputs[step.SkipFrom]!.narrow(0, start, len)) : step.Module.call(x);
                if (l > 0) x.Dispose(); // each layer's output once it is cached (a VGG chunk's outputs would take gigabytes)
                x = y;
            }
        }
        // The float64 bounds, read from the cache in small blocks (their float64 tensors are 2-4 times a layer's size).
        for (int start = 0; start < n; start += BoundBlock)
        {
            int len = Math.Min(BoundBlock, n - start);
            Tensor m, e, em, peakChunk;
            using (var first = NewDisposeScope())
            {
                m = inputs[0]!.narrow(0, start, len).abs().to_type(ScalarType.Float64).DetachFromDisposeScope();
                e = zeros_like(m).DetachFromDisposeScope();
                em = zeros_like(m).DetachFromDisposeScope();
                peakChunk = m.flatten(1).amax(1).DetachFromDisposeScope();
            }
            // Each residual block's input bounds (m, e, em), kept for the sum that ends the block.
            var saved = new Dictionary<int, Tensor[]>();
            for (int l = 0; l < k; l++)
            {
                Tensor[] next;
                if (stack.StartsBlock(l)) saved[l] = [m.alias().DetachFromDisposeScope(), e.alias().DetachFromDisposeScope(), em.alias().DetachFromDisposeScope()];
                using (var layerScope = NewDisposeScope())
                {
                    var step = stack.Steps[l];
                    var x = inputs[l]!.narrow(0, start, len);
                    if (step.Kind == StackStepKind.Residual)
                    {
                        // main + shortcut(block input): one float32 addition per element; every bound adds.
                        var from = saved[step.SkipFrom];
                        var added = step.Skip(inputs[step.SkipFrom]!.narrow(0, start, len)).abs().to_type(ScalarType.Float64);
                        var sum = x.abs().to_type(ScalarType.Float64) + added;
                        sum.flatten(1).amax(1).cpu().data<double>().CopyTo(termPeak[l]!.AsSpan(start, len));
                        double g2 = FloatRounding.Gamma(2);
                        var blockM = m + step.Skip(from[0]);
                        var pr = peakChunk.maximum(sum.flatten(1).amax(1)).maximum(blockM.flatten(1).amax(1));
                        next = [blockM.alias(), (e + step.Skip(from[1]) + g2 * sum).alias(), (em + step.Skip(from[2]) + g2 * sum).alias(), pr.alias()];
                        foreach (var t in next) t.DetachFromDisposeScope();
                        foreach (var t in new[] { m, e, em, peakChunk }) t.Dispose();
                        (m, e, em, peakChunk) = (next[0], next[1], next[2], next[3]);
                        continue;
                    }
                    var terms = ActualTerms(step, x.abs().to_type(ScalarType.Float64));
                    if (terms is not null) terms.flatten(1).amax(1).cpu().data<double>().CopyTo(termPeak[l]!.AsSpan(start, len));
                    var p = terms is null ? peakChunk.alias() : peakChunk.maximum(terms.flatten(1).amax(1));
                    double gamma = FloatRounding.Gamma(Terms(step, x));
                    var eNext = PropagateError(step, e, terms, gamma);
                    Tensor emNext;
                    if (step.Kind == StackStepKind.Relu)
                    {
                        var c = x.to_type(ScalarType.Float64);
                        var tau = c.abs().flatten(1).amax(1) * DeadFraction;
                        tau.cpu().data<double>().CopyTo(deadSlack[l]!.AsSpan(start, len));
                        var shape = new long[c.dim()];
                        Array.Fill(shape, 1L);
                        shape[0] = len;
                        emNext = em.masked_fill(c.le(-(2 * em + tau.view(shape))), 0);
                    }
                    else emNext = PropagateError(step, em, terms, gamma);
                    var mNext = Magnitude(step, m);
                    var xNext = inputs[l + 1]!.narrow(0, start, len);
                    p = p.maximum(mNext.flatten(1).amax(1)).maximum(xNext.abs().flatten(1).amax(1).to_type(ScalarType.Float64));
                    next = [mNext.alias(), eNext.alias(), emNext.alias(), p.alias()];
                    foreach (var t in next) t.DetachFromDisposeScope();
                }
                foreach (var t in new[] { m, e, em, peakChunk }) t.Dispose();
                (m, e, em, peakChunk) = (next[0], next[1], next[2], next[3]);
            }
            foreach (var set in saved.Values) foreach (var t in set) t.Dispose();
            using (var last = NewDisposeScope())
            {
                m.amax(1).cpu().data<double>().CopyTo(outputMagnitude.AsSpan(start, len));
                e.amax(1).cpu().data<double>().CopyTo(error.AsSpan(start, len));
                em.amax(1).cpu().data<double>().CopyTo(maskedError.AsSpan(start, len));
                peakChunk.cpu().data<double>().CopyTo(peak.AsSpan(start, len));
            }
            foreach (var t in new[] { m, e, em, peakChunk }) t.Dispose();
        }
        var logitsTensor = inputs[k]!;
        int classes = (int)logitsTensor.shape[1];
        var logits = logitsTensor.cpu().contiguous().data<float>().ToArray();
        bool same = logits.Length == referenceLogits.Length;
        for (int i = 0; same && i < logits.Length; i++) same = BitConverter.SingleToInt32Bits(logits[i]) == BitConverter.SingleToInt32Bits(referenceLogits[i]);
        if (!same)
        {
            foreach (var t in inputs) t?.Dispose();
            return null;
        }
        double rounding = 0;
        for (int l = 0; l < k; l++) rounding += FloatRounding.Gamma(Terms(stack.Steps[l], inputs[l]!));
        return new StackActivations(inputs!, logits, classes, outputMagnitude, peak, error, maskedError, deadSlack, termPeak, rounding);
    }

    /// <summary>Σ|w·x| + |b| of each of the step's float32 sums, from the real input magnitudes |x| (null: the step adds nothing).</summary>
    private static Tensor? ActualTerms(StackStep step, Tensor absInput) => step.Kind switch
    {
        StackStepKind.Convolution or StackStepKind.Linear or StackStepKind.BatchNorm => Magnitude(step, absInput),
        StackStepKind.AveragePool => step.Module.call(absInput),
        _ => null,
    };

    /// <summary>
    /// Carries the error bound e through one step and adds the step's own rounding (γ × its terms): linear maps through
    /// |W|, max-pooling takes the window's largest bound, ReLU and reshapes pass it on (both are 1-Lipschitz).
    /// </summary>
    private static Tensor PropagateError(StackStep step, Tensor e, Tensor? terms, double gamma)
    {
        var carried = step.Kind switch
        {
            StackStepKind.Convolution => nn.functional.conv2d(e, step.AbsWeight!, null, step.Stride, step.Padding, step.Dilation),
            StackStepKind.Linear => e.matmul(step.AbsWeight!.t()),
            StackStepKind.BatchNorm => e * step.Scale!.abs().view(1, -1, 1, 1),
            StackStepKind.MaxPool or StackStepKind.AveragePool or StackStepKind.Flatten => step.Module.call(e),
            _ => e,
        };
        return terms is null ? carried : carried + gamma * terms;
    }

    /// <summary>
    /// The |W| pass through one step: a bound on the magnitude of every product the step's float32 arithmetic adds
    /// (so on its rounding error) and on the magnitude of its output. Batch norm is bounded as (|x| + |μ|)·|scale| + |β|,
    /// covering however libtorch orders its subtraction, scaling and shift.
    /// </summary>
    private static Tensor Magnitude(StackStep step, Tensor m) => step.Kind switch
    {
        StackStepKind.Convolution => nn.functional.conv2d(m, step.AbsWeight!, step.AbsBias, step.Stride, step.Padding, step.Dilation),
        StackStepKind.Linear => step.AbsBias is null ? m.matmul(step.AbsWeight!.t()) : m.matmul(step.AbsWeight!.t()) + step.AbsBias,
        StackStepKind.BatchNorm => (m + step.Mean!.abs().view(1, -1, 1, 1)) * step.Scale!.abs().view(1, -1, 1, 1) + step.AbsBias!.view(1, -1, 1, 1),
        StackStepKind.MaxPool or StackStepKind.AveragePool or StackStepKind.Flatten => step.Module.call(m),
        _ => m,
    };

    /// <summary>Terms in each of the step's float32 sums (bias included); batch norm counts 8 for its few operations.</summary>
    internal static int Terms(StackStep step, Tensor input) => step.Kind switch
    {
        StackStepKind.Convolution => (int)(step.Weight!.shape[1] * step.Weight.shape[2] * step.Weight.shape[3]) + 1,
        StackStepKind.Linear => (int)step.Weight!.shape[1] + 1,
        StackStepKind.BatchNorm => 8,
        StackStepKind.AveragePool => (int)(input.shape[2] * input.shape[3]) + 1,
        StackStepKind.Residual => 2,
        _ => 0,
    };

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in Inputs) t.Dispose();
    }
}
