using FlipGuard.Faults;
using static TorchSharp.torch;

namespace FlipGuard.Attacks;

/// <summary>
/// The gradient of the loss with respect to single bits — the signal BFA ranks flips by. An int8 weight is
/// w = s·q with q = −128·b₇ + Σᵢ₌₀⁶ 2ⁱ·bᵢ (two's complement), so ∂L/∂bᵢ = ∂L/∂w · s · 2ⁱ (−128 for the sign bit), and a
/// flip changes bᵢ by +1 (0→1) or −1 (1→0): the predicted loss change (the gain) is ∂L/∂bᵢ·(1 − 2bᵢ), which is exactly
/// ∂L/∂w·(w′ − w). The float32 variant uses the same first-order gain ∂L/∂w·(w′ − w) with w′ the flipped IEEE word
/// (infinite when w′ is ±Inf; undefined — NaN — when w′ is NaN or the gradient is, and then never ranked).
/// </summary>
public static class BitGradient
{
    /// <summary>∂L/∂b for bit <paramref name="bit"/> of an int8 weight with scale <paramref name="scale"/>, given ∂L/∂w.</summary>
    public static double Int8(double dLdw, float scale, int bit) => dLdw * scale * Place(bit);

    /// <summary>The predicted loss change of flipping bit <paramref name="bit"/> of the int8 weight <paramref name="q"/>.</summary>
    public static double Int8Gain(double dLdw, float scale, sbyte q, int bit) => Int8(dLdw, scale, bit) * (Int8Quantizer.IsSet(q, bit) ? -1 : 1);

    /// <summary>The predicted loss change of flipping bit <paramref name="bit"/> of the float32 weight <paramref name="w"/>.</summary>
    public static double Float32Gain(double dLdw, float w, int bit)
    {
        double delta = (double)Float32Bits.Flip(w, bit) - w;
        return dLdw == 0 && double.IsFinite(delta) ? 0 : dLdw * delta;
    }

    /// <summary>The value of bit position <paramref name="bit"/> in a two's-complement int8: 2^bit, and −128 for the sign bit.</summary>
    public static int Place(int bit) => bit == Int8Quantizer.Sign ? -128 : 1 << bit;

    /// <summary>
    /// Cross-entropy of the model on (<paramref name="images"/>, <paramref name="labels"/>), in evaluation mode, and
    /// its gradient with respect to each of <paramref name="target"/>'s tensors (flat, storage order).
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
            var loss = nn.functional.cross_entropy(model.forward(images), labels);
            loss.backward();
            var grads = new float[target.Tensors.Count][];
            for (int t = 0; t < grads.Length; t++)
            {
                var g = target.Tensors[t].Parameter.grad;
                grads[t] = g is null ? new float[target.Tensors[t].Length] : g.detach().cpu().contiguous().view(-1).data<float>().ToArray();
            }
            double value = loss.item<float>();
            model.zero_grad();
            return (value, grads);
        }
        finally { if (wasTraining) model.train(); }
    }

    /// <summary>Cross-entropy of the model on the batch, gradients off, evaluation mode.</summary>
    public static double Loss(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels)
    {
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            return nn.functional.cross_entropy(model.forward(images), labels).item<float>();
        }
        finally { if (wasTraining) model.train(); }
    }
}
