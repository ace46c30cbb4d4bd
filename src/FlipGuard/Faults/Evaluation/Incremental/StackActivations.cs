using static TorchSharp.torch;

namespace FlipGuard.Faults.Evaluation.Incremental;

/// <summary>
/// The clean forward of a <see cref="LayerStack"/>, kept for every evaluation sample: the float32 tensor entering each
/// layer (what the naive path computes there, bit for bit: the same layers run on the same chunks), the logits, and,
/// per sample, two float64 magnitude bounds from the |W| pass (|x| in, |W| and |bias| in every layer): at the logits
/// (what float32 rounding error scales with) and the largest anywhere (what decides whether a float32 sum could
/// overflow). Also Σγₙ over the stack's layers, the rounding factor of <see cref="FloatRounding"/> summed.
/// </summary>
internal sealed class StackActivations : IDisposable
{
    private StackActivations(Tensor[] inputs, float[] logits, int classes, double[] outputMagnitude, double[] peakMagnitude, double[] cleanError, double roundingSum)
    {
        (Inputs, Logits, Classes, OutputMagnitude, PeakMagnitude, CleanError, RoundingSum) = (inputs, logits, classes, outputMagnitude, peakMagnitude, cleanError, roundingSum);
    }

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
        for (int start = 0; start < n; start += chunk)
        {
            using var scope = NewDisposeScope();
            int len = Math.Min(chunk, n - start);
            var x = images.narrow(0, start, len);
            var m = x.abs().to_type(ScalarType.Float64);
            var e = zeros_like(m);
            var peakChunk = m.flatten(1).amax(1);
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
                var terms = ActualTerms(step, x.abs().to_type(ScalarType.Float64));
                if (terms is not null) peakChunk = peakChunk.maximum(terms.flatten(1).amax(1));
                e = PropagateError(step, e, terms, FloatRounding.Gamma(Terms(step, x)));
                x = step.Module.call(x);
                m = Magnitude(step, m);
                peakChunk = peakChunk.maximum(m.flatten(1).amax(1)).maximum(x.abs().flatten(1).amax(1).to_type(ScalarType.Float64));
            }
            m.amax(1).cpu().data<double>().CopyTo(outputMagnitude.AsSpan(start, len));
            e.amax(1).cpu().data<double>().CopyTo(error.AsSpan(start, len));
            peakChunk.cpu().data<double>().CopyTo(peak.AsSpan(start, len));
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
        return new StackActivations(inputs!, logits, classes, outputMagnitude, peak, error, rounding);
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
    private static int Terms(StackStep step, Tensor input) => step.Kind switch
    {
        StackStepKind.Convolution => (int)(step.Weight!.shape[1] * step.Weight.shape[2] * step.Weight.shape[3]) + 1,
        StackStepKind.Linear => (int)step.Weight!.shape[1] + 1,
        StackStepKind.BatchNorm => 8,
        StackStepKind.AveragePool => (int)(input.shape[2] * input.shape[3]) + 1,
        _ => 0,
    };

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in Inputs) t.Dispose();
    }
}
