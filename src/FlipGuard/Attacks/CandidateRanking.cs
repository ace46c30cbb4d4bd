using FlipGuard.Faults.Targets;

namespace FlipGuard.Attacks;

/// <summary>
/// BFA's per-layer ranking: among the bits of one tensor whose flip is predicted to raise the loss (gain &gt; 0, see
/// <see cref="BitGradient"/>), the <c>k</c> with the largest gain — equivalently the largest |∂L/∂b| among flips in the
/// loss-increasing direction. Bits already flipped are skipped. Ties keep the earlier (index, bit), so the ranking
/// is deterministic. One pass over the tensor with a k-slot sorted buffer; no allocation per entry, and the flips'
/// value steps come from the encoding a chunk of entries at a time.
/// </summary>
public static class CandidateRanking
{
    private const int Chunk = 512;

    /// <summary>The top <paramref name="k"/> candidates of tensor <paramref name="t"/>, best first.</summary>
    public static List<BitCandidate> Top(WorkingWeights weights, int t, ReadOnlySpan<float> gradient, IReadOnlyList<int> bits, int k, IReadOnlySet<BitAddress> flipped)
    {
        var best = new BitCandidate[k];
        int count = 0;
        var encoding = weights.Target.Encoding;
        float scale = weights.Target.Tensors[t].Encoded.Scale;
        var words = weights.Words(t);
        // Each chunk's flip steps (w′ − w), one encoding call per bit position, then the scan in (index, bit) order.
        var deltas = new double[bits.Count * Chunk];
        for (int start = 0; start < gradient.Length; start += Chunk)
        {
            int n = Math.Min(Chunk, gradient.Length - start);
            for (int b = 0; b < bits.Count; b++) encoding.FlipDeltas(words.Slice(start, n), scale, bits[b], deltas.AsSpan(b * Chunk, n));
            for (int j = 0; j < n; j++)
            {
                int i = start + j;
                double g = gradient[i];
                if (g == 0 || double.IsNaN(g)) continue;
                for (int b = 0; b < bits.Count; b++)
                {
                    int bit = bits[b];
                    double gain = BitGradient.Gain(g, deltas[b * Chunk + j]);
                    if (!(gain > 0) || count == k && !(gain > best[k - 1].Gain)) continue;
                    var address = new BitAddress(t, i, bit);
                    if (flipped.Contains(address)) continue;
                    int at = count < k ? count++ : k - 1;
                    while (at > 0 && best[at - 1].Gain < gain) { best[at] = best[at - 1]; at--; }
                    best[at] = new BitCandidate(address, gain);
                }
            }
        }
        return best.Take(count).ToList();
    }
}

/// <summary>A bit the search may flip, with its predicted first-order loss increase (gradient · change of the weight).</summary>
public readonly record struct BitCandidate(BitAddress Address, double Gain);
