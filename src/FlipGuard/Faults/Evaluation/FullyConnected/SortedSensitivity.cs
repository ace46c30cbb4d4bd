namespace FlipGuard.Faults.Evaluation.FullyConnected;

/// <summary>
/// Samples ordered by how easily a change in one input feature can move their prediction: key κ = |x| / (margin − slack),
/// descending. A flip whose worst-case logit change per unit of |x| is c can only affect samples with κ ≥ 1/c, a prefix
/// found by binary search — so a flip too small to matter costs O(log N) instead of a pass over the data.
/// </summary>
internal sealed class SortedSensitivity
{
    private readonly float[] keys;
    private readonly int[] samples;

    /// <summary>Sorts samples by <paramref name="key"/> (descending); +∞ keys (no safe margin) come first.</summary>
    public SortedSensitivity(ReadOnlySpan<float> key)
    {
        keys = key.ToArray();
        samples = new int[keys.Length];
        for (int i = 0; i < samples.Length; i++) samples[i] = i;
        Array.Sort(keys, samples, Comparer<float>.Create((a, b) => b.CompareTo(a)));
    }

    /// <summary>The samples whose key is ≥ <paramref name="threshold"/> (all of them for a threshold of 0 or NaN).</summary>
    public ReadOnlySpan<int> AtLeast(double threshold)
    {
        if (!(threshold > 0)) return samples;
        int lo = 0, hi = keys.Length; // first index with key < threshold
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (keys[mid] >= threshold) lo = mid + 1; else hi = mid;
        }
        return samples.AsSpan(0, lo);
    }
}
