namespace FlipGuard.Faults.Evaluation.FullyConnected;

/// <summary>
/// How far float32 rounding alone can move a sample's logits when one unit of layer l changes. Only that unit and
/// the layers above it are recomputed in the flipped pass: every other unit of layer l and everything below has the
/// same inputs, weights and batch layout, so torch reproduces its clean value bit for bit. The allowance therefore
/// counts fresh rounding in layers l+1…L only (in both passes), plus the changed unit's own rounding — far less than
/// a bound on the whole network's rounding, which on low-margin data made every flip re-examine ~1% of the samples.
/// </summary>
internal sealed class ChainRoundingSlack
{
    private ChainRoundingSlack(double[][] downstream, double[][] firstFilter, double[] growth)
    {
        (Downstream, FirstFilter, Growth) = (downstream, firstFilter, growth);
    }

    /// <summary>
    /// Downstream[l-1][s]: bound on |Δ(logit p − logit c)| from rounding in layers above l (both passes), for any
    /// pair of classes, plus a small relative floor. Zero-width for the last layer.
    /// </summary>
    public double[][] Downstream { get; }

    /// <summary>
    /// FirstFilter[l-1][s]: <see cref="Downstream"/> plus the worst changed unit's own rounding times its pair gain —
    /// the sample-only allowance of the binary-search filter, which does not know the unit's per-sample magnitude.
    /// </summary>
    public double[][] FirstFilter { get; }

    /// <summary>
    /// Growth[l-1]: per unit of change size and per unit of <see cref="LinearChain.Gain"/>, the extra rounding a pair
    /// of logits can see because magnitudes above layer l grow in the flipped pass (2·Σ_{k&gt;l} γ_k).
    /// </summary>
    public double[] Growth { get; }

    /// <summary>Inflation on pair gains: covers γ·|Δ| in the changed unit's own rounding and float32 keys.</summary>
    public const double Inflation = 1.002;

    public static ChainRoundingSlack Compute(LinearChain chain)
    {
        int layers = chain.Layers, n = chain.Samples, classes = chain.Width[layers];
        var gamma = new double[layers + 1];
        for (int l = 1; l <= layers; l++) gamma[l] = FloatRounding.Gamma(chain.Width[l - 1] + 1) + 1e-15;
        var growth = new double[layers];
        for (int l = 1; l <= layers; l++)
            for (int k = l + 1; k <= layers; k++) growth[l - 1] += 2 * gamma[k];
        var downstream = new double[layers][];
        var first = new double[layers][];
        for (int l = 1; l <= layers; l++)
        {
            var down = new double[n];
            var filter = new double[n];
            int units = chain.Width[l];
            var magnitude = chain.Magnitude[l - 1];
            var pairMax = chain.PairMax[l - 1];
            var gain = l == layers ? null : chain.Gain[l - 1];
            int layer = l;
            Parallel.For(0, n, () => new double[2 * chain.Width.Max()], (s, _, scratch) =>
            {
                double floor = 1e-6 * Math.Abs(chain.Margin[s]);
                down[s] = layer == layers ? floor : 4 * MaxLogitError(chain, gamma, layer, s, scratch) + floor; // 2 logits × 2 passes
                double own = 0;
                for (int i = 0; i < units; i++)
                {
                    double factor = Inflation * pairMax[i] + (gain is null ? 0 : growth[layer - 1] * gain[i]);
                    own = Math.Max(own, factor * 2 * gamma[layer] * magnitude[s * units + i]);
                }
                filter[s] = down[s] + own;
                return scratch;
            }, _ => { });
            downstream[l - 1] = down;
            first[l - 1] = filter;
        }
        return new ChainRoundingSlack(downstream, first, growth);
    }

    /// <summary>max over classes of the rounding error at the logits from recomputing layers above <paramref name="layer"/> (one pass).</summary>
    private static double MaxLogitError(LinearChain chain, double[] gamma, int layer, int s, double[] scratch)
    {
        int width = chain.Width[layer + 1];
        var error = scratch.AsSpan(0, width);
        var magnitude = chain.Magnitude[layer];
        for (int k = 0; k < width; k++) error[k] = gamma[layer + 1] * magnitude[s * width + k];
        for (int l = layer + 2; l <= chain.Layers; l++)
        {
            int inWidth = chain.Width[l - 1], outWidth = chain.Width[l];
            var next = scratch.AsSpan(scratch.Length / 2, outWidth);
            var w = chain.Weights[l - 1];
            var mag = chain.Magnitude[l - 1];
            for (int k = 0; k < outWidth; k++)
            {
                double sum = gamma[l] * mag[s * outWidth + k];
                for (int j = 0; j < inWidth; j++) sum += Math.Abs(w[k * inWidth + j]) * error[j];
                next[k] = sum;
            }
            next.CopyTo(scratch.AsSpan(0, outWidth));
            error = scratch.AsSpan(0, outWidth);
        }
        double max = 0;
        foreach (double e in error) max = Math.Max(max, e);
        return max;
    }
}
