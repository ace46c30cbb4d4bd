namespace FlipGuard.Faults.Evaluation.FullyConnected;

/// <summary>
/// What happens when a flip makes a hidden unit of the second-to-last hidden layer huge (exponent flips): the next
/// layer's ReLUs switch to the sign of their weight to that unit, and the logits become c + t·v with v the same for
/// every sample. Beyond a per-sample threshold on the unit's new value t — past which the ReLU pattern is settled and
/// t·v outweighs c and all rounding — the prediction is argmax v whatever the sample. This turns the costliest flips of
/// a sweep (hundreds per weight row, each touching every sample) into one comparison per sample.
/// Built only for chains with exactly one hidden layer after the flipped one (the zoo's mlp: fc1 → fc2 → fc3).
/// </summary>
internal sealed class HiddenUnitSaturation
{
    private readonly double[] threshold; // [unit × samples]: t above this gives Winner[unit]
    private readonly int samples;

    /// <summary>Class predicted once the unit saturates, or −1 when v has no clear winner for that unit.</summary>
    public int[] Winner { get; }

    /// <summary>Largest |t|·Σ|W| growth factor per unit, for the overflow guard.</summary>
    public double[] Growth { get; }

    private HiddenUnitSaturation(int units, int samples)
    {
        this.samples = samples;
        threshold = new double[units * samples];
        Winner = new int[units];
        Growth = new double[units];
    }

    /// <summary>The new value t of unit <paramref name="unit"/> above which sample <paramref name="sample"/> predicts Winner[unit].</summary>
    public double Threshold(int unit, int sample) => threshold[unit * samples + sample];

    /// <summary>Precomputes the thresholds for layer <paramref name="layer"/> = L − 2 of <paramref name="chain"/>, or returns null for other shapes.</summary>
    public static HiddenUnitSaturation? TryCreate(LinearChain chain, int layer)
    {
        if (layer != chain.Layers - 2 || layer < 1) return null;
        int units = chain.Width[layer], hidden = chain.Width[layer + 1], classes = chain.Width[layer + 2], n = chain.Samples;
        var w2 = chain.Weights[layer];       // [hidden × units]
        var w3 = chain.Weights[layer + 1];   // [classes × hidden]
        var b3 = chain.Biases[layer + 1];
        var p2 = chain.Pre[layer];           // [n × hidden]
        var m2 = chain.Magnitude[layer];
        var a1 = chain.Inputs[layer];        // [n × units], the unit's clean activation
        double gamma2 = FloatRounding.Gamma(units + 1), gamma3 = FloatRounding.Gamma(hidden + 1);
        var result = new HiddenUnitSaturation(units, n);
        // Per sample: C = max_c Σ_k |W3[c,k]|·(|P2_k| + γ₂·M2_k) + |b3_c|, the size of everything but t·v.
        var baseBound = new double[n];
        var settle = new double[n * hidden]; // |P2_k| + γ₂·M2_k
        Parallel.For(0, n, s =>
        {
            for (int k = 0; k < hidden; k++) settle[s * hidden + k] = Math.Abs(p2[s * hidden + k]) + gamma2 * m2[s * hidden + k];
            double best = 0;
            for (int c = 0; c < classes; c++)
            {
                double sum = Math.Abs(b3[c]);
                for (int k = 0; k < hidden; k++) sum += Math.Abs(w3[c * hidden + k]) * settle[s * hidden + k];
                best = Math.Max(best, sum);
            }
            baseBound[s] = best;
        });
        Parallel.For(0, units, i =>
        {
            var v = new double[classes];
            double growth = 0;
            for (int c = 0; c < classes; c++)
            {
                double abs = 0;
                for (int k = 0; k < hidden; k++)
                {
                    double w = w2[k * units + i];
                    if (w > 0) v[c] += w3[c * hidden + k] * w;
                    abs += Math.Abs(w3[c * hidden + k] * w);
                }
                growth = Math.Max(growth, abs);
            }
            int winner = 0;
            for (int c = 1; c < classes; c++) if (v[c] > v[winner]) winner = c;
            double runnerUp = double.NegativeInfinity;
            for (int c = 0; c < classes; c++) if (c != winner) runnerUp = Math.Max(runnerUp, v[c]);
            // The winner's lead per unit of t, less what rounding can take away in layers L−1 and L.
            double lead = (v[winner] - runnerUp) * (1 - 1e-3) - 2.002 * (gamma2 + gamma3) * growth;
            result.Winner[i] = lead > 0 ? winner : -1;
            result.Growth[i] = growth;
            for (int s = 0; s < n; s++)
            {
                double a = a1[s * units + i];
                double settleAt = 0; // ReLU pattern settled: |W2[k,i]|·t > |P2_k − W2[k,i]·a| + γ₂·M2_k for every k
                for (int k = 0; k < hidden; k++)
                {
                    double w = Math.Abs(w2[k * units + i]);
                    if (w > 0) settleAt = Math.Max(settleAt, a + settle[s * hidden + k] / w);
                }
                double outweigh = lead > 0 ? 2.01 * (baseBound[s] + a * growth) / lead : double.PositiveInfinity;
                result.threshold[i * n + s] = Math.Max(1.01 * settleAt, outweigh);
            }
        });
        return result;
    }
}
