using System.Diagnostics;
using FlipGuard.Core;
using FlipGuard.Faults.Targets;
using FlipGuard.Models;
using static TorchSharp.torch;

namespace FlipGuard.Injection;

/// <summary>
/// Random faults, as radiation, ageing or rowhammer without aim would cause them: for each level, independent
/// seeded trials each flip random bits of the model (a bit-error rate, or exactly k bits; see
/// <see cref="BitErrorSampler"/>), optionally let a defense repair, measure test accuracy and restore the clean
/// weights. Each level's finished trials are journaled, so a killed campaign resumes without losing or repeating
/// a trial, and trial t of a level always draws the same bits whatever happened before it.
/// </summary>
public static class RandomFaultInjection
{
    private static readonly TimeSpan JournalInterval = TimeSpan.FromSeconds(2);

    /// <summary>Runs the campaign <paramref name="options"/> describes on <paramref name="target"/> (left clean afterwards).</summary>
    /// <exception cref="FlipGuardException">Bad levels or trial count, a model with no correct prediction, or a foreign journal.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancel"/> fired; finished trials stay in the journal.</exception>
    public static InjectionResult Run(FlipTarget target, Tensor images, Tensor labels, InjectionOptions options,
        IProgress<InjectionProgress>? progress = null, CancellationToken cancel = default)
    {
        Validate(options);
        var population = new BitPopulation(target, options.Bits);
        if (options.Mode == InjectionMode.FixedCount && options.Levels.Any(k => k > population.Count))
            throw new FlipGuardException($"--flips: the model has only {population.Count:N0} selected bits");
        int samples = checked((int)images.shape[0]);
        long clean = Evaluator.CountCorrect(target.Model, images, labels, options.Chunk);
        if (clean <= 0) throw new FlipGuardException("the unflipped model classifies no evaluation sample correctly, so RAD is undefined");
        var definition = new InjectionDefinition(options.CheckpointSha256, options.Dataset, samples, clean, target.Encoding.Name, options.Bits.Canonical,
            options.Mode, options.Levels.ToArray(), options.Trials, options.Seed, options.Chunk, options.Repair?.Name);
        using var journal = options.JournalDirectory is null ? null : RecordJournal.Open(options.JournalDirectory, definition, options.Resume);
        var weights = new WorkingWeights(target);

        var perLevel = new List<InjectionTrial>[options.Levels.Count];
        long resumed = 0;
        for (int l = 0; l < perLevel.Length; l++)
        {
            var saved = journal?.TryRead<List<InjectionTrial>>(Unit(l)) ?? [];
            perLevel[l] = saved.Count <= options.Trials && saved.Select((t, i) => t.Trial == i).All(ok => ok) ? saved : [];
            resumed += perLevel[l].Count;
        }
        long total = (long)options.Trials * options.Levels.Count, done = resumed, fresh = 0;
        var clock = Stopwatch.StartNew();
        try
        {
            for (int l = 0; l < perLevel.Length; l++)
            {
                var trials = perLevel[l];
                var lastWrite = Stopwatch.StartNew();
                while (trials.Count < options.Trials)
                {
                    cancel.ThrowIfCancellationRequested();
                    trials.Add(RunTrial(weights, population, images, labels, options, options.Levels[l], trials.Count));
                    done++;
                    fresh++;
                    bool levelDone = trials.Count == options.Trials;
                    if (journal is not null && (levelDone || lastWrite.Elapsed >= JournalInterval))
                    {
                        journal.Write(Unit(l), trials);
                        lastWrite.Restart();
                    }
                    double rate = fresh / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
                    progress?.Report(new InjectionProgress(done, total, resumed, options.Levels[l], TimeSpan.FromSeconds((total - done) / rate)));
                }
            }
        }
        catch (OperationCanceledException)
        {
            for (int l = 0; l < perLevel.Length && journal is not null; l++)
                if (perLevel[l].Count > 0) journal.Write(Unit(l), perLevel[l]);
            throw;
        }
        finally { weights.Reset(); }
        if (fresh == 0) progress?.Report(new InjectionProgress(done, total, resumed, options.Levels[^1], TimeSpan.Zero));
        var levels = options.Levels.Select((level, l) => InjectionLevel.From(level, perLevel[l], samples, clean)).ToList();
        return new InjectionResult(definition, (double)clean / samples, population.Count, levels) { ResumedTrials = resumed, Seconds = clock.Elapsed.TotalSeconds };
    }

    /// <summary>The bits trial <paramref name="trial"/> of <paramref name="level"/> flips (ordinals of the population, ascending).</summary>
    public static IReadOnlyList<long> DrawFlips(InjectionMode mode, double level, long populationBits, ulong seed, int trial)
    {
        var rng = SplitMix64.ForStream(seed ^ (ulong)BitConverter.DoubleToInt64Bits(level), (ulong)trial);
        return mode == InjectionMode.BitErrorRate
            ? BitErrorSampler.Independent(populationBits, level, rng)
            : BitErrorSampler.Exactly(populationBits, (long)level, rng);
    }

    private static InjectionTrial RunTrial(WorkingWeights weights, BitPopulation population, Tensor images, Tensor labels, InjectionOptions options, double level, int trial)
    {
        var flips = DrawFlips(options.Mode, level, population.Count, options.Seed, trial);
        try
        {
            foreach (long ordinal in flips) weights.Flip(population.Address(ordinal), writeLive: false);
            weights.WriteAll();
            long correct = Evaluator.CountCorrect(weights.Target.Model, images, labels, options.Chunk);
            if (options.Repair is not { } repair) return new InjectionTrial(trial, flips.Count, correct);
            var report = repair.Repair(weights.Target);
            long repaired = Evaluator.CountCorrect(weights.Target.Model, images, labels, options.Chunk);
            return new InjectionTrial(trial, flips.Count, correct, report.Detected, repaired);
        }
        finally { weights.Reset(); }
    }

    /// <summary>Checks the options that need no model (levels, trials, chunk), so a front end can refuse them before loading anything.</summary>
    /// <exception cref="FlipGuardException">The first bad option, in one line.</exception>
    public static void Validate(InjectionOptions o)
    {
        if (o.Trials < 1) throw new FlipGuardException($"--trials must be ≥ 1, got {o.Trials}");
        if (o.Levels.Count == 0) throw new FlipGuardException("give at least one bit-error rate (--ber) or flip count (--flips)");
        if (o.Chunk < 1) throw new FlipGuardException($"--chunk must be ≥ 1, got {o.Chunk}");
        foreach (double v in o.Levels)
        {
            if (o.Mode == InjectionMode.BitErrorRate && !(v >= 0 && v <= 1)) throw new FlipGuardException($"--ber {v}: a bit-error rate is in [0, 1]");
            if (o.Mode == InjectionMode.FixedCount && !(v >= 0 && v == Math.Floor(v))) throw new FlipGuardException($"--flips {v}: a flip count is a whole number ≥ 0");
        }
    }

    private static string Unit(int level) => $"level-{level:D3}";
}

/// <summary>Progress of a random-fault campaign, after each trial: trials done (including resumed ones) of the total, and the estimated time left.</summary>
public readonly record struct InjectionProgress(long Done, long Total, long Resumed, double Level, TimeSpan? Remaining);

/// <summary>The outcome of a random-fault campaign: its definition, the clean accuracy, the bit population and one summary per level.</summary>
public sealed record InjectionResult(InjectionDefinition Definition, double CleanAccuracy, long PopulationBits, IReadOnlyList<InjectionLevel> Levels)
{
    /// <summary>Trials read back from a journal rather than run by this process.</summary>
    public long ResumedTrials { get; init; }
    /// <summary>Wall-clock seconds this process spent.</summary>
    public double Seconds { get; init; }
}

/// <summary>
/// One random-fault trial: how many bits flipped, correct predictions after the flips, and — with a defense —
/// whether it detected anything and the correct predictions after its repair.
/// </summary>
public sealed record InjectionTrial(int Trial, long Flips, long Correct, bool? Detected = null, long? RepairedCorrect = null);
