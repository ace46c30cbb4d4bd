using FlipGuard.Core;
using FlipGuard.Sweeps.Storage;

namespace FlipGuard.Sweeps;

/// <summary>
/// Combines the journals of a sharded sweep into the result a single run would have given, after checking that
/// they share one definition and flip table, that their shards are disjoint and cover 0..N−1, and that each is
/// complete. Needs no model or data: everything is in the journals.
/// </summary>
public static class SweepMerge
{
    /// <summary>Merges the sweeps written to <paramref name="directories"/> (sweep output folders or their journal folders).</summary>
    /// <exception cref="FlipGuardException">Missing, foreign, overlapping, incomplete or missing shards.</exception>
    public static SweepResult Merge(IReadOnlyList<string> directories)
    {
        if (directories.Count == 0) throw new FlipGuardException("merge needs at least one sweep directory");
        var journals = directories.Select(d => SweepJournal.OpenExisting(File.Exists(Path.Combine(d, "header.json")) ? d : SweepJournal.PathIn(d))).ToList();
        var first = journals[0].Header;
        var seen = new Dictionary<int, string>();
        for (int i = 0; i < journals.Count; i++)
        {
            var h = journals[i].Header;
            if (h.DefinitionSha256 != first.DefinitionSha256 || h.SitesSha256 != first.SitesSha256)
                throw new FlipGuardException($"{directories[i]}: a different sweep than {directories[0]} ({first.Definition.FirstDifference(h.Definition) ?? "flip sites differ"})");
            if (h.CleanCorrect != first.CleanCorrect)
                throw new FlipGuardException($"{directories[i]}: clean count {h.CleanCorrect} differs from {first.CleanCorrect} in {directories[0]} (evaluation not reproducible)");
            if (h.ShardCount != first.ShardCount)
                throw new FlipGuardException($"{directories[i]}: shard {h.Shard} does not split the sweep like {directories[0]} ({first.Shard})");
            if (!seen.TryAdd(h.ShardIndex, directories[i]))
                throw new FlipGuardException($"{directories[i]}: shard {h.Shard} is also in {seen[h.ShardIndex]}");
        }
        var missing = Enumerable.Range(0, first.ShardCount).Where(k => !seen.ContainsKey(k)).ToList();
        if (missing.Count > 0)
            throw new FlipGuardException($"shards missing: {string.Join(", ", missing.Take(8).Select(k => $"{k}/{first.ShardCount}"))}{(missing.Count > 8 ? ", …" : "")}");
        var sites = journals[0].ReadSites();
        var correct = new int[sites.Count];
        correct.AsSpan().Fill(-1);
        for (int i = 0; i < journals.Count; i++)
        {
            var h = journals[i].Header;
            var buffer = new int[h.BlockSize];
            for (int b = 0; b < h.Blocks; b++)
            {
                var counts = buffer.AsSpan(0, h.BlockLength(b));
                if (!journals[i].TryRead(b, counts))
                    throw new FlipGuardException($"{directories[i]}: shard {h.Shard} is incomplete (block {b} of {h.Blocks} missing); finish it with --resume");
                long firstLocal = (long)b * h.BlockSize;
                for (int j = 0; j < counts.Length; j++) correct[h.Shard.Ordinal(firstLocal + j)] = counts[j];
            }
        }
        var shards = journals.Select(j => j.Header.Shard).OrderBy(s => s.Index).ToList();
        return new SweepResult(first.Definition, sites, shards, first.CleanCorrect, correct, "merged");
    }
}
