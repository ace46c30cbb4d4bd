using FlipGuard.Attacks;
using FlipGuard.Core;
using FlipGuard.Defenses;
using FlipGuard.Defenses.Ecc;
using FlipGuard.Faults.Encodings;
using FlipGuard.Faults.Targets;
using FlipGuard.Injection;
using FlipGuard.Models;
using FlipGuard.Tests.Faults;

namespace FlipGuard.Tests.Defenses;

public class DefenseRepairTests
{
    private static AttackOptions Options() =>
        new(BitSelection.Parse("all", WeightEncodings.Int8)) { BatchSize = 32, TopK = 3, MaxFlips = 8, TargetAccuracy = 0, Seeds = [1, 2] };

    [Fact]
    public void TheAttackNeverSeesTheDefensesRepair()
    {
        var (model, pool, poolLabels, test, testLabels) = TinyClassifier.AttackCase();
        using (model)
        {
            var target = FlipTarget.Create(model, WeightEncodings.Int8);
            var radar = new RadarChecksum(new RadarOptions(GroupSize: 8));
            radar.Protect(target);
            var plain = ProgressiveBitSearch.Run(target, pool, poolLabels, test, testLabels, Options());
            var defended = ProgressiveBitSearch.Run(target, pool, poolLabels, test, testLabels, Options() with { Repair = new DefenseRepair(radar) });
            for (int s = 0; s < 2; s++)
            {
                var p = plain.Trajectories[s].Steps;
                var d = defended.Trajectories[s].Steps;
                Assert.Equal(p.Select(x => (x.Tensor, x.Index, x.Bit, x.NewQ, x.Correct, x.Loss)), d.Select(x => (x.Tensor, x.Index, x.Bit, x.NewQ, x.Correct, x.Loss)));
                Assert.All(d, x => Assert.NotNull(x.RepairedCorrect));
            }
            Assert.Equal(radar.Name, defended.Definition.Repair);
            // The repair left nothing behind: the attack restored the clean weights.
            Assert.Equal(0, radar.Repair(target).UnitsFlagged);
        }
    }

    [Fact]
    public void RadarOnInt8DetectsTheAttacksFlipsAndTheTrajectoryMatchesAReplay()
    {
        var (model, pool, poolLabels, test, testLabels) = TinyClassifier.AttackCase();
        using (model)
        {
            var target = FlipTarget.Create(model, WeightEncodings.Int8);
            const int group = 8;
            var radar = new RadarChecksum(new RadarOptions(GroupSize: group));
            radar.Protect(target);
            var result = ProgressiveBitSearch.Run(target, pool, poolLabels, test, testLabels, Options() with { Repair = new DefenseRepair(radar) });
            int signatureFlips = 0;
            foreach (var trajectory in result.Trajectories)
            {
                // Oracle: replay the flips one by one on fresh weights, run a freshly protected RADAR, compare.
                var oracle = new RadarChecksum(new RadarOptions(GroupSize: group));
                oracle.Protect(target);
                var weights = new WorkingWeights(target);
                var hitGroups = new HashSet<(int, long)>();
                long previous = 0;
                foreach (var step in trajectory.Steps)
                {
                    weights.Flip(new BitAddress(step.Tensor, step.Index, step.Bit));
                    var report = oracle.Repair(target);
                    long repaired = Evaluator.CountCorrect(model, test, testLabels);
                    weights.WriteAll();
                    Assert.Equal(report.UnitsFlagged, step.Flagged);
                    Assert.Equal(repaired, step.RepairedCorrect);
                    Assert.Equal(report.UnitsFlagged > previous, step.Detected);
                    previous = report.UnitsFlagged;
                    // RADAR's guarantee: a flip of a signature bit (6 or 7) in a group no earlier flip touched is detected.
                    long groups = (target.Tensors[step.Tensor].Length + group - 1) / group;
                    bool fresh = hitGroups.Add((step.Tensor, step.Index % groups));
                    if (fresh && step.Bit >= 6) { Assert.True(step.Detected, $"flip {step.Flip} (bit {step.Bit}) was not detected"); signatureFlips++; }
                }
                weights.Reset();
                Assert.Equal(trajectory.Steps.FirstOrDefault(x => x.Detected == true)?.Flip, trajectory.FirstDetectedFlip);
            }
            Assert.True(signatureFlips > 0, "the attack flipped no signature bit, so the detection check proved nothing");
        }
    }

    [Fact]
    public void StoppingOnTheRepairedAccuracyNeedsADefenseAndIsPartOfTheDefinition()
    {
        var (model, pool, poolLabels, test, testLabels) = TinyClassifier.AttackCase();
        using (model)
        {
            var target = FlipTarget.Create(model, WeightEncodings.Int8);
            Assert.Throws<FlipGuardException>(() => ProgressiveBitSearch.Run(target, pool, poolLabels, test, testLabels, Options() with { TargetOnRepaired = true }));
            var ecc = new EccProtection();
            ecc.Protect(target);
            long clean = Evaluator.CountCorrect(model, test, testLabels);
            // ECC corrects every single error; the attack hits distinct words here or not, the repaired accuracy says which.
            var r = ProgressiveBitSearch.Run(target, pool, poolLabels, test, testLabels,
                Options() with { Repair = new DefenseRepair(ecc), TargetOnRepaired = true, TargetAccuracy = (double)(clean - 1) / test.shape[0] });
            Assert.True(r.Definition.TargetOnRepaired);
            foreach (var t in r.Trajectories)
            {
                bool reached = t.Steps.Count > 0 && t.Steps[^1].RepairedCorrect < clean;
                Assert.Equal(reached, t.Stop == AttackStop.TargetReached);
                Assert.All(t.Steps.SkipLast(1), x => Assert.Equal(clean, x.RepairedCorrect));
            }
        }
    }

    [Fact]
    public void EccRecoversTheCleanAccuracyWhenEachWordHoldsAtMostOneFlip()
    {
        var (model, test, testLabels) = TinyClassifier.Create(seed: 3, samples: 64);
        using (model)
        {
            foreach (bool int8 in new[] { true, false })
            {
                var target = FlipTarget.Create(model, WeightEncodings.FromInt8Flag(int8));
                var ecc = new EccProtection();
                ecc.Protect(target);
                long clean = Evaluator.CountCorrect(model, test, testLabels);
                var bits = BitSelection.Parse("all", WeightEncodings.FromInt8Flag(int8));
                var options = new InjectionOptions(InjectionMode.FixedCount, [1, 3], bits) { Trials = 30, Seed = 5, Repair = new DefenseRepair(ecc) };
                var result = RandomFaultInjection.Run(target, test, testLabels, options);
                var population = new BitPopulation(target, bits);
                int perWord = EccWords.EntriesPerWord(target);
                int oneFlipPerWord = 0;
                for (int l = 0; l < 2; l++)
                    foreach (var trial in result.Levels[l].Trials)
                    {
                        var words = RandomFaultInjection.DrawFlips(InjectionMode.FixedCount, options.Levels[l], population.Count, options.Seed, trial.Trial)
                            .Select(population.Address).Select(a => (a.Tensor, a.Index / perWord)).ToList();
                        Assert.True(trial.Detected);
                        if (words.Distinct().Count() == words.Count) { Assert.Equal(clean, trial.RepairedCorrect); oneFlipPerWord++; }
                    }
                Assert.True(oneFlipPerWord >= 30, $"only {oneFlipPerWord} trials had one flip per word");
                Assert.Equal(1.0, result.Levels[0].DetectionRate);
                Assert.Equal((double)clean / 64, result.Levels[0].RepairedAccuracy!.Mean, 12);
                Assert.Equal(clean, Evaluator.CountCorrect(model, test, testLabels));
            }
        }
    }
}
