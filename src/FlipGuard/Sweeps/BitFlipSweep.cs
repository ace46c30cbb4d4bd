using System.Diagnostics;
using FlipGuard.Core;
using FlipGuard.Faults.Evaluation;
using FlipGuard.Faults.Targets;
using FlipGuard.Sweeps.Storage;

namespace FlipGuard.Sweeps;

/// <summary>
/// Evaluates every flip of a sweep (or of one shard) with an <see cref="IFlipEvaluator"/>, block by block,
/// journaling each finished block so that a killed run resumes exactly where it stopped.
/// </summary>
public static class BitFlipSweep
{
    private const int CancellationGrain = 256;

    /// <summary>
    /// Runs the sweep <paramref name="options"/> describes over <paramref name="target"/>. Cancellation is honoured
    /// between groups of flips; finished blocks stay in the journal and a rerun with
    /// <see cref="SweepOptions.Resume"/> continues from them.
    /// </summary>
    /// <exception cref="FlipGuardException">Bad selection, a clean model with no correct prediction, or a foreign journal.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancel"/> fired.</exception>
    public static SweepResult Run(FlipTarget target, IFlipEvaluator evaluator, SweepOptions options, IProgress<SweepProgress>? progress = null, CancellationToken cancel = default)
    {
        if (options.BlockSize < 1) throw new FlipGuardException($"block size must be ≥ 1, got {options.BlockSize}");
        var sites = FlipSites.Create(target, options.Bits, options.Parameters, options.Seed);
        var definition = new SweepDefinition(options.CheckpointSha256, options.Dataset, evaluator.Samples, options.Bits.Canonical,
            options.Parameters.Canonical, options.Parameters.SampleSize > 0 ? options.Seed : null, target.Encoding.Name, options.Chunk, options.Defense);
        long clean = evaluator.CleanCorrect;
        if (clean <= 0) throw new FlipGuardException("the unflipped model classifies no evaluation sample correctly, so RAD is undefined");
        byte[] sitesBytes = FlipSitesFile.Serialize(sites);
        var header = new JournalHeader(JournalHeader.CurrentFormatVersion, definition, definition.Sha256(), options.Shard.Index, options.Shard.Count,
            options.BlockSize, sites.Count, FlipSitesFile.Sha256(sitesBytes), clean);
        using var journal = options.JournalDirectory is null ? null : SweepJournal.Open(options.JournalDirectory, header, sitesBytes, options.Resume);

        var correct = new int[sites.Count];
        correct.AsSpan().Fill(-1);
        var shard = options.Shard;
        long total = shard.LocalCount(sites.Count);
        var blockCounts = new int[options.BlockSize];
        var done = new bool[header.Blocks];
        long resumed = 0;
        for (int b = 0; b < header.Blocks && journal is not null; b++)
        {
            var counts = blockCounts.AsSpan(0, header.BlockLength(b));
            if (!journal.TryRead(b, counts)) continue;
            Store(correct, shard, (long)b * options.BlockSize, counts);
            done[b] = true;
            resumed += counts.Length;
        }

        var changes = new ParameterChange[options.BlockSize];
        var evaluated = new long[options.BlockSize];
        var clock = Stopwatch.StartNew();
        long fresh = 0, finished = resumed;
        for (int b = 0; b < header.Blocks; b++)
        {
            if (done[b]) continue;
            int n = header.BlockLength(b);
            long first = (long)b * options.BlockSize;
            sites.Changes(shard, first, changes.AsSpan(0, n));
            for (int at = 0; at < n; at += CancellationGrain)
            {
                cancel.ThrowIfCancellationRequested();
                int len = Math.Min(CancellationGrain, n - at);
                evaluator.Evaluate(changes.AsSpan(at, len), evaluated.AsSpan(at, len));
            }
            for (int i = 0; i < n; i++) blockCounts[i] = checked((int)evaluated[i]);
            var counts = blockCounts.AsSpan(0, n);
            journal?.Write(b, counts);
            Store(correct, shard, first, counts);
            fresh += n;
            finished += n;
            double rate = fresh / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
            progress?.Report(new SweepProgress(finished, total, resumed, rate, TimeSpan.FromSeconds((total - finished) / rate)));
        }
        if (fresh == 0) progress?.Report(new SweepProgress(finished, total, resumed, 0, TimeSpan.Zero));
        return new SweepResult(definition, sites, [shard], clean, correct, options.EvaluatorName) { Resumed = resumed, Seconds = clock.Elapsed.TotalSeconds };
    }

    private static void Store(int[] correct, SweepShard shard, long firstLocal, ReadOnlySpan<int> counts)
    {
        for (int i = 0; i < counts.Length; i++) correct[shard.Ordinal(firstLocal + i)] = counts[i];
    }
}

/// <summary>Progress of a sweep, reported after each block: flips done (including resumed ones) of this shard's total.</summary>
public readonly record struct SweepProgress(long Done, long Total, long Resumed, double FlipsPerSecond, TimeSpan? Remaining);
