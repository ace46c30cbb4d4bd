using FlipGuard.Faults.Encodings;
using FlipGuard.Faults.Targets;
using FlipGuard.Hessian;
using static TorchSharp.torch;

namespace FlipGuard.Defenses.Ranking;

/// <summary>
/// Predicted vulnerability of each parameter entry from second-order information: for a flip that changes w by Δ,
/// the loss changes by about |g·Δ| + ½·|H_ii|·Δ² (g the gradient, H_ii the Hessian diagonal by Hutchinson's method).
/// An entry's score is its worst such flip over the bits an adversary or fault can hit. The absolute value of H_ii
/// is used because a Hutchinson estimate of a small diagonal entry can come out negative, which would otherwise
/// predict that a 10³⁸-fold blow-up lowers the loss. A flip to Inf or NaN scores +∞.
/// </summary>
public static class HessianGuidedRanking
{
    /// <summary>
    /// Scores for every entry of <paramref name="target"/> over <paramref name="bits"/>, with the gradient and Hessian
    /// diagonal of the mean loss over <paramref name="batches"/> (<paramref name="probes"/> Rademacher probes, seeded).
    /// </summary>
    public static EntryScores Score(FlipTarget target, IReadOnlyList<(Tensor Images, Tensor Labels)> batches, IReadOnlyList<int> bits,
        int probes, long seed, IProgress<int>? progress = null, CancellationToken cancel = default)
    {
        var blocks = target.Tensors.Select(t => new ParameterBlock(t.Name, t.Parameter)).ToList();
        var hessian = new HessianOperator(target.Model, blocks, batches);
        using var scope = NewDisposeScope();
        var (_, gradient) = hessian.LossAndGradient();
        var diagonal = HessianDiagonal.Estimate(hessian, probes, seed, progress, cancel);
        try
        {
            var scores = new List<double[]>();
            for (int t = 0; t < target.Tensors.Count; t++)
            {
                float[] g = Flat(gradient[t]), h = Flat(diagonal[t]);
                scores.Add(Predict(target.Tensors[t], g, h, bits));
            }
            return new EntryScores("hessian", scores);
        }
        finally
        {
            foreach (var d in diagonal) d.Dispose();
        }
    }

    /// <summary>
    /// max over <paramref name="bits"/> of |g·Δ| + ½·|h|·Δ² for each entry of <paramref name="tensor"/>, Δ the flip's step
    /// from the clean stored word (<see cref="IWeightEncoding.FlipDelta"/>).
    /// </summary>
    public static double[] Predict(FlipTensor tensor, ReadOnlySpan<float> gradient, ReadOnlySpan<float> diagonal, IReadOnlyList<int> bits)
    {
        var encoded = tensor.Encoded;
        var words = encoded.Words.Span;
        var score = new double[words.Length];
        var delta = new double[words.Length];
        foreach (int bit in bits)
        {
            encoded.Encoding.FlipDeltas(words, encoded.Scale, bit, delta);
            for (int i = 0; i < score.Length; i++)
            {
                double d = delta[i];
                double predicted = double.IsFinite(d) ? Math.Abs(gradient[i] * d) + 0.5 * Math.Abs(diagonal[i]) * d * d : double.PositiveInfinity;
                score[i] = Math.Max(score[i], predicted);
            }
        }
        return score;
    }

    private static float[] Flat(Tensor t)
    {
        using var cpu = t.detach().cpu().contiguous().view(-1);
        return cpu.data<float>().ToArray();
    }
}
