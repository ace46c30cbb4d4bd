using FlipGuard.Faults.Encodings;
using FlipGuard.Faults.Targets;
using static TorchSharp.torch;

namespace FlipGuard.Attacks;

/// <summary>
/// The gradient of the loss with respect to single bits — the signal BFA ranks flips by. A flip changes a weight by
/// Δ = w′ − w (<see cref="IWeightEncoding.FlipDelta"/>), and its first-order loss change, the gain, is ∂L/∂w·Δ. For an
/// int8 weight w = s·q with q = −128·b₇ + Σᵢ₌₀⁶ 2ⁱ·bᵢ (two's complement) that is exactly ∂L/∂bᵢ·(1 − 2bᵢ), with
/// ∂L/∂bᵢ = ∂L/∂w · s · 2ⁱ (−128 for the sign bit). For float32, w′ is the flipped IEEE word, so the gain is infinite
/// when w′ is ±Inf and undefined — NaN — when w′ is NaN or the gradient is, and then never ranked. The loss is the mean
/// cross-entropy with each sample's share capped (<see cref="SampleLossCap"/>), so that the search stays informative
/// after a flip has made some outputs infinite.
/// </summary>
public static class BitGradient
{
    /// <summary>
    /// The predicted loss change ∂L/∂w·Δ of a flip that changes the weight by <paramref name="delta"/>; 0 when the
    /// gradient is 0 and Δ finite (0·∞ stays NaN: such a flip's effect is unknown).
    /// </summary>
    public static double Gain(double dLdw, double delta) => dLdw == 0 && double.IsFinite(delta) ? 0 : dLdw * delta;

    /// <summary>
    /// The largest loss one sample contributes. A float32 exponent flip can make logits infinite, and a plain mean
    /// cross-entropy is then +∞ or NaN for every candidate, which stops the search from telling flips apart (and
    /// NaN gradients stop it from ranking them). So a sample whose loss is non-finite or above the cap counts as the
    /// cap and drops out of the gradient. When no sample reaches it — always so far for int8 models, whose weights
    /// stay bounded — the loss and gradient are torch's plain mean cross-entropy, bit for bit.
    /// </summary>
    public const double SampleLossCap = 1e4;

    /// <summary>
    /// The attack loss (<see cref="SampleLossCap"/>) of the model on (<paramref name="images"/>, <paramref name="labels"/>),
    /// in evaluation mode, and its gradient with respect to each of <paramref name="target"/>'s tensors (flat, storage order).
    /// </summary>
    public static (double Loss, float[][] Gradients) WeightGradients(FlipTarget target, Tensor images, Tensor labels)
    {
        var model = target.Model;
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var scope = NewDisposeScope();
            model.zero_grad();
            var logits = model.forward(images);
            var (capped, saturated) = Capped(logits, labels);
            if (saturated is null) nn.functional.cross_entropy(logits, labels).backward();
            else
            {
                // Differentiate only the unsaturated samples, in a separate pass: back-propagating a zero through a row
                // with infinite logits would still spread NaN into the weight gradients.
                var active = saturated.logical_not().nonzero().view(-1);
                if (active.shape[0] > 0)
                {
                    var sub = nn.functional.cross_entropy(model.forward(images.index_select(0, active)), labels.index_select(0, active), reduction: nn.Reduction.Sum);
                    (sub / images.shape[0]).backward();
                }
            }
            var grads = new float[target.Tensors.Count][];
            for (int t = 0; t < grads.Length; t++)
            {
                var g = target.Tensors[t].Parameter.grad;
                grads[t] = g is null ? new float[target.Tensors[t].Length] : g.detach().cpu().contiguous().view(-1).data<float>().ToArray();
            }
            model.zero_grad();
            return (capped, grads);
        }
        finally { if (wasTraining) model.train(); }
    }

    /// <summary>The attack loss (<see cref="SampleLossCap"/>) of the model on the batch, gradients off, evaluation mode.</summary>
    public static double Loss(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels)
    {
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            return Capped(model.forward(images), labels).Loss;
        }
        finally { if (wasTraining) model.train(); }
    }

    /// <summary>The capped mean loss, and the mask of saturated samples (null when none is: then the loss is the plain mean).</summary>
    private static (double Loss, Tensor? Saturated) Capped(Tensor logits, Tensor labels)
    {
        using var _ = no_grad();
        var perSample = nn.functional.cross_entropy(logits.detach(), labels, reduction: nn.Reduction.None);
        var saturated = perSample.isfinite().logical_not().logical_or(perSample.gt(SampleLossCap));
        if (!saturated.any().item<bool>()) return (nn.functional.cross_entropy(logits.detach(), labels).item<float>(), null);
        return (perSample.masked_fill(saturated, SampleLossCap).to_type(ScalarType.Float64).mean().item<double>(), saturated);
    }
}
