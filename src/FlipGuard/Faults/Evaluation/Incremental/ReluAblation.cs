using static TorchSharp.torch;

namespace FlipGuard.Faults.Evaluation.Incremental;

/// <summary>
/// A bound on a flip that does not grow with the flip's size. When a convolution or linear layer feeds a ReLU
/// directly, a change Δ &lt; 0 of a weight whose inputs are all ≥ 0 (or of a bias) can only lower that unit's sums:
/// the naive forward's sum is at most the exact clean one plus γₙ·S (S = Σ|w·x| + |b| of the clean terms; the changed
/// term only pulls down, overflow to −∞ included), so the ReLU's output moves from its clean value r toward 0 and by at
/// most r + 2γₙ·S, however large |Δ| is. An exponent-MSB flip of a negative weight (×2¹²⁸) therefore moves the logits
/// no further than switching the unit off — which the certified skip can often show harmless sample by sample, where
/// the |Δ|-proportional bound is astronomically large.
/// </summary>
internal static class ReluAblation
{
    /// <summary>
    /// For step <paramref name="at"/> of <paramref name="stack"/>: per sample and output unit (channel), the bound
    /// above ([samples × units], row-major), and whether it holds for the weights too (every input ≥ 0) or for the
    /// bias only; null when the step does not feed a ReLU.
    /// </summary>
    public static (float[] Bound, int Units, bool Weights)? Measure(LayerStack stack, StackActivations clean, int at)
    {
        var step = stack.Steps[at];
        if (step.Kind is not (StackStepKind.Convolution or StackStepKind.Linear) || at + 1 >= stack.Steps.Length || stack.Steps[at + 1].Kind != StackStepKind.Relu) return null;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var output = clean.Inputs[at + 2];
        int n = (int)output.shape[0], units = (int)output.shape[1];
        bool weights = clean.Inputs[at].min().item<float>() >= 0;
        double gamma = FloatRounding.Gamma(StackActivations.Terms(step, clean.Inputs[at]));
        var largest = (output.dim() == 4 ? output.amax(new long[] { 2, 3 }) : output).to_type(ScalarType.Float64);
        var rounding = tensor(clean.TermPeak[at]!, ScalarType.Float64).to(largest.device).view(-1, 1) * (2 * gamma);
        // Rounded up to float32 (the keys are float32): nextafter toward +∞ keeps the bound a bound.
        var bound = (largest + rounding).cpu().contiguous().data<double>().ToArray().Select(b => MathF.BitIncrement((float)b)).ToArray();
        return (bound, units, weights);
    }
}
