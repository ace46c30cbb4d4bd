using FlipGuard.Faults.Targets;

namespace FlipGuard.Attacks;

/// <summary>
/// BFA's per-layer ranking: among the bits of one tensor whose flip is predicted to raise the loss (gain &gt; 0, see
/// <see cref="BitGradient"/>), the <c>k</c> with the largest gain — equivalently the largest |∂L/∂b| among flips in the
/// loss-increasing direction. Bits already flipped are skipped. Ties keep the earlier (index, bit), so the ranking
/// is deterministic. One pass over the tensor with a k-slot sorted buffer; no allocation per entry.
/// </summary>
public static class CandidateRanking
{
    /// <summary>The top <paramref name="k"/> candidates of tensor <paramref name="t"/>, best first.</summary>
    public static List<BitCandidate> Top(WorkingWeights weights, int t, ReadOnlySpan<float> gradient, IReadOnlyList<int> bits, int k, IReadOnlySet<BitAddress> flipped)
    {
        var best = new BitCandidate[k];
        int count = 0;
        bool int8 = weights.Target.Int8;
        var values = weights.Values(t);
        var q = weights.Q(t);
        float scale = weights.Scale(t);
        for (int i = 0; i < gradient.Length; i++)
        {
            double g = gradient[i];
            if (g == 0 || double.IsNaN(g)) continue;
            for (int b = 0; b < bits.Count; b++)
            {
                int bit = bits[b];
                double gain = int8 ? BitGradient.Int8Gain(g, scale, q[i], bit) : BitGradient.Float32Gain(g, values[i], bit);
                if (!(gain > 0) || count == k && !(gain > best[k - 1].Gain)) continue;
                var address = new BitAddress(t, i, bit);
                if (flipped.Contains(address)) continue;
                int at = count < k ? count++ : k - 1;
                while (at > 0 && best[at - 1].Gain < gain) { best[at] = best[at - 1]; at--; }
                best[at] = new BitCandidate(address, gain);
            }
        }
        return best.Take(count).ToList();
    }
}
