using FlipGuard.Core;

namespace FlipGuard.Sweeps;

/// <summary>
/// Part K of N of a sweep. Shards interleave: shard K owns the flips whose ordinal satisfies
/// <c>ordinal % N == K</c>. Interleaving (rather than contiguous ranges) gives every shard the same mix of
/// layers and bit positions, so shards take about equally long whatever each flip costs.
/// </summary>
public readonly record struct SweepShard(int Index, int Count)
{
    /// <summary>The whole sweep as one shard.</summary>
    public static SweepShard Whole { get; } = new(0, 1);

    /// <summary>Parses <c>K/N</c> with 0 ≤ K &lt; N.</summary>
    /// <exception cref="FlipGuardException">Malformed text.</exception>
    public static SweepShard Parse(string text)
    {
        string[] parts = text.Split('/', StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || !int.TryParse(parts[0], out int k) || !int.TryParse(parts[1], out int n) || n < 1 || k < 0 || k >= n)
            throw new FlipGuardException($"--shard {text}: expected K/N with 0 ≤ K < N, e.g. 3/16");
        return new SweepShard(k, n);
    }

    /// <summary>How many of <paramref name="total"/> flips this shard owns.</summary>
    public long LocalCount(long total) => total <= Index ? 0 : (total - Index + Count - 1) / Count;

    /// <summary>The ordinal of this shard's <paramref name="local"/>-th flip.</summary>
    public long Ordinal(long local) => Index + local * Count;

    /// <inheritdoc />
    public override string ToString() => $"{Index}/{Count}";
}
