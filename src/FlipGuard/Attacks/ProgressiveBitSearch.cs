using System.Diagnostics;
using FlipGuard.Core;
using FlipGuard.Faults.Encodings;
using FlipGuard.Faults.Targets;
using FlipGuard.Models;
using static TorchSharp.torch;

namespace FlipGuard.Attacks;

/// <summary>
/// The targeted bit-flip attack of Rakin et al. (BFA, ICCV 2019), progressive bit search. Each iteration computes
/// the loss gradient on the attack batch, ranks each tensor's bits by their predicted loss increase
/// (<see cref="CandidateRanking"/>), evaluates the real attack-batch loss of each tensor's top-k flips, and commits
/// the single flip that raises it most; a bit is never flipped twice. It stops when test accuracy reaches the
/// target or the flip budget runs out. One attack per seed (attack batch), each from the clean weights; every
/// committed flip is journaled, so a killed campaign resumes by replaying the journaled flips and continues exactly
/// as an uninterrupted run would (for a fixed thread count, like every torch computation here).
/// </summary>
public static class ProgressiveBitSearch
{
    /// <summary>
    /// Attacks <paramref name="target"/> (int8: bits of q; float32: bits of the IEEE words) with batches drawn from the
    /// attack pool and measures accuracy on the evaluation set. The target is left clean afterwards.
    /// </summary>
    /// <exception cref="FlipGuardException">Bad options, a bit outside the format, or a foreign or inconsistent journal.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancel"/> fired; committed flips stay in the journal.</exception>
    public static AttackResult Run(FlipTarget target, Tensor poolImages, Tensor poolLabels, Tensor testImages, Tensor testLabels, AttackOptions options,
        IProgress<AttackProgress>? progress = null, CancellationToken cancel = default)
    {
        Validate(options, target.Encoding);
        int samples = checked((int)testImages.shape[0]);
        if (samples == 0) throw new FlipGuardException("the evaluation set is empty");
        var weights = new WorkingWeights(target);
        long clean = Evaluator.CountCorrect(target.Model, testImages, testLabels, options.Chunk);
        double cleanAccuracy = (double)clean / samples;
        double targetAccuracy = options.TargetAccuracy ?? 1.0 / Classes(target, testImages) + 0.01;
        var definition = new AttackDefinition(options.CheckpointSha256, options.Dataset, samples, clean, checked((int)poolImages.shape[0]), target.Encoding.Name,
            options.Bits.Canonical, options.TopK, options.BatchSize, targetAccuracy, options.MaxFlips, options.Seeds.ToArray(), options.Chunk, options.Repair?.Name)
        { TargetOnRepaired = options.TargetOnRepaired };
        using var journal = options.JournalDirectory is null ? null : RecordJournal.Open(options.JournalDirectory, definition, options.Resume);
        var clock = Stopwatch.StartNew();
        var trajectories = new List<AttackTrajectory>();
        int resumed = 0;
        try
        {
            for (int s = 0; s < options.Seeds.Count; s++)
            {
                var saved = journal?.TryRead<AttackTrajectory>($"seed-{s:D3}");
                if (saved is { Stop: not null } && saved.Seed == options.Seeds[s]) resumed++;
                trajectories.Add(RunSeed(weights, s, saved is not null && saved.Seed == options.Seeds[s] ? saved : null, poolImages, poolLabels, testImages, testLabels,
                    options, clean, targetAccuracy, journal, progress, cancel));
            }
        }
        finally { weights.Reset(); }
        return new AttackResult(definition, cleanAccuracy, targetAccuracy, trajectories) { ResumedSeeds = resumed, Seconds = clock.Elapsed.TotalSeconds };
    }

    private static AttackTrajectory RunSeed(WorkingWeights weights, int s, AttackTrajectory? saved, Tensor poolImages, Tensor poolLabels, Tensor testImages, Tensor testLabels,
        AttackOptions options, long clean, double targetAccuracy, RecordJournal? journal, IProgress<AttackProgress>? progress, CancellationToken cancel)
    {
        var target = weights.Target;
        ulong seed = options.Seeds[s];
        int samples = checked((int)testImages.shape[0]);
        weights.Reset();
        var (x, y) = AttackBatch.Draw(poolImages, poolLabels, options.BatchSize, seed);
        using var xScope = x;
        using var yScope = y;
        double cleanLoss = BitGradient.Loss(target.Model, x, y);
        var steps = new List<AttackStep>();
        var flipped = new HashSet<BitAddress>();
        foreach (var step in saved?.Steps ?? [])
        {
            var address = new BitAddress(step.Tensor, step.Index, step.Bit);
            if (step.Tensor >= target.Tensors.Count || target.Tensors[step.Tensor].Name != step.TensorName || !flipped.Add(address))
                throw new FlipGuardException($"journal seed {seed}: flip {step.Flip} does not fit this model; use another --output or delete it");
            var (_, now) = weights.Flip(address);
            if (BitConverter.SingleToInt32Bits(now) != BitConverter.SingleToInt32Bits(step.NewValue))
                throw new FlipGuardException($"journal seed {seed}: replaying flip {step.Flip} gives another value; use another --output or delete it");
            steps.Add(step);
        }
        if (saved?.Stop is not null) return saved with { Steps = steps };

        long correct = steps.Count > 0 ? steps[^1].Correct : clean;
        long judged = steps.Count > 0 && options.TargetOnRepaired ? steps[^1].RepairedCorrect ?? correct : correct;
        long flagged = steps.Count > 0 ? steps[^1].Flagged ?? 0 : 0;
        double loss = steps.Count > 0 ? steps[^1].Loss : cleanLoss;
        AttackStop? stop = null;
        while (stop is null)
        {
            cancel.ThrowIfCancellationRequested();
            progress?.Report(new AttackProgress(s, options.Seeds.Count, seed, steps.Count, options.MaxFlips, loss, (double)judged / samples, (double)clean / samples, targetAccuracy));
            if ((double)judged / samples <= targetAccuracy) { stop = AttackStop.TargetReached; break; }
            if (steps.Count >= options.MaxFlips) { stop = AttackStop.Budget; break; }
            var best = BestFlip(weights, x, y, options, flipped);
            if (best is not { } b) { stop = AttackStop.NoCandidate; break; }
            var address = b.Address;
            int? oldQ = weights.StoredInteger(address.Tensor, address.Index);
            var (old, now) = weights.Flip(address);
            flipped.Add(address);
            loss = b.Loss;
            correct = Evaluator.CountCorrect(target.Model, testImages, testLabels, options.Chunk);
            bool? detected = null;
            long? repaired = null, flaggedNow = null;
            if (options.Repair is { } repair)
            {
                var report = repair.Repair(target);
                // Earlier flips stay in the weights, so a defense that counts flagged units detects this flip when the count rises.
                detected = report.UnitsFlagged is { } f ? f > flagged : report.Detected;
                flaggedNow = report.UnitsFlagged;
                flagged = report.UnitsFlagged ?? flagged;
                repaired = Evaluator.CountCorrect(target.Model, testImages, testLabels, options.Chunk);
                weights.WriteAll();
            }
            judged = options.TargetOnRepaired ? repaired ?? correct : correct;
            steps.Add(new AttackStep(steps.Count + 1, address.Tensor, target.Tensors[address.Tensor].Name, address.Index, address.Bit, old, now,
                oldQ, weights.StoredInteger(address.Tensor, address.Index), loss, correct, (double)correct / samples, detected, repaired, flaggedNow));
            journal?.Write($"seed-{s:D3}", new AttackTrajectory(seed, cleanLoss, steps, null));
        }
        var trajectory = new AttackTrajectory(seed, cleanLoss, steps, stop);
        journal?.Write($"seed-{s:D3}", trajectory);
        return trajectory;
    }

    /// <summary>The flip (among every tensor's top-k) with the highest attack-batch loss; NaN counts as +∞; ties keep the first tried.</summary>
    private static (BitAddress Address, double Loss)? BestFlip(WorkingWeights weights, Tensor x, Tensor y, AttackOptions options, IReadOnlySet<BitAddress> flipped)
    {
        var target = weights.Target;
        var (_, gradients) = BitGradient.WeightGradients(target, x, y);
        (BitAddress Address, double Loss)? best = null;
        for (int t = 0; t < target.Tensors.Count; t++)
        {
            foreach (var c in CandidateRanking.Top(weights, t, gradients[t], options.Bits.Bits, options.TopK, flipped))
            {
                var a = c.Address;
                weights.SetLive(a.Tensor, a.Index, weights.FlippedValue(a));
                double loss;
                try { loss = BitGradient.Loss(target.Model, x, y); }
                finally { weights.RestoreLive(a.Tensor, a.Index); }
                if (double.IsNaN(loss)) loss = double.PositiveInfinity;
                if (best is null || loss > best.Value.Loss) best = (a, loss);
            }
        }
        return best;
    }

    private static int Classes(FlipTarget target, Tensor images)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        bool wasTraining = target.Model.training;
        target.Model.eval();
        long classes = target.Model.forward(images.narrow(0, 0, 1)).shape[1];
        if (wasTraining) target.Model.train();
        return checked((int)classes);
    }

    /// <summary>Checks the options against the bits of <paramref name="encoding"/>, so a front end can refuse them before loading a model.</summary>
    /// <exception cref="FlipGuardException">The first bad option, in one line.</exception>
    public static void Validate(AttackOptions o, IWeightEncoding encoding)
    {
        if (o.TopK < 1) throw new FlipGuardException($"--top-k must be ≥ 1, got {o.TopK}");
        if (o.BatchSize < 1) throw new FlipGuardException($"--batch must be ≥ 1, got {o.BatchSize}");
        if (o.MaxFlips < 0) throw new FlipGuardException($"--max-flips must be ≥ 0, got {o.MaxFlips}");
        if (o.Seeds.Count == 0) throw new FlipGuardException("--seeds must be ≥ 1");
        if (o.Seeds.Distinct().Count() != o.Seeds.Count) throw new FlipGuardException("the attack seeds must be distinct");
        if (o.Chunk < 1) throw new FlipGuardException($"--chunk must be ≥ 1, got {o.Chunk}");
        if (o.TargetOnRepaired && o.Repair is null) throw new FlipGuardException("stopping on the repaired accuracy needs a defense");
        if (o.TargetAccuracy is { } a && !(a >= 0 && a <= 1)) throw new FlipGuardException($"--target-accuracy must be in [0, 1], got {a}");
        if (o.Bits.Bits.Any(b => b >= encoding.BitCount))
            throw new FlipGuardException($"--bits {o.Bits.Text}: {encoding.Name} weights have bits 0–{encoding.BitCount - 1}");
    }
}

/// <summary>Progress of an attack campaign after each committed flip: which seed (0-based of how many), flips so far, loss and test accuracy.</summary>
public readonly record struct AttackProgress(int SeedIndex, int Seeds, ulong Seed, int Flips, int MaxFlips, double Loss, double Accuracy,
    double CleanAccuracy, double TargetAccuracy);
