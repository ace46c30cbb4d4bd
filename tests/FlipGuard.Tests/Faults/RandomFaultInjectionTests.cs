using System.Text.Json;
using FlipGuard.Core;
using FlipGuard.Faults.Encodings;
using FlipGuard.Faults.Targets;
using FlipGuard.Injection;
using FlipGuard.Models;

namespace FlipGuard.Tests.Faults;

public class RandomFaultInjectionTests
{
    private static InjectionOptions Options(string? journal, bool resume = false, bool int8 = false) =>
        new(InjectionMode.BitErrorRate, [1e-4, 1e-3, 1e-2], BitSelection.Parse("all", WeightEncodings.FromInt8Flag(int8))) { Trials = 12, Seed = 5, JournalDirectory = journal, Resume = resume };

    [Theory]
    [InlineData(false, 32)]
    [InlineData(true, 8)]
    public void TrialsFlipTheDrawnBitsAndLeaveTheModelClean(bool int8, int bitsPerEntry)
    {
        var (model, x, y) = TinyClassifier.Create(seed: 3, samples: 64);
        using (model)
        {
            var target = FlipTarget.Create(model, WeightEncodings.FromInt8Flag(int8));
            long clean = Evaluator.CountCorrect(model, x, y);
            var population = new BitPopulation(target, BitSelection.Parse("all", WeightEncodings.FromInt8Flag(int8)));
            Assert.Equal(target.Tensors.Sum(t => t.Length) * bitsPerEntry, population.Count);
            var options = Options(null, int8: int8);
            var result = RandomFaultInjection.Run(target, x, y, options);
            Assert.Equal(clean, Evaluator.CountCorrect(model, x, y));
            Assert.Equal(clean, result.Definition.CleanCorrect);
            foreach (var level in result.Levels)
                foreach (var t in level.Trials)
                    Assert.Equal(RandomFaultInjection.DrawFlips(InjectionMode.BitErrorRate, level.Level, population.Count, 5, t.Trial).Count, t.Flips);

            // The oracle: apply one trial's flips by hand and count.
            var trial = result.Levels[2].Trials.First(t => t.Flips > 0);
            var weights = new WorkingWeights(target);
            foreach (long o in RandomFaultInjection.DrawFlips(InjectionMode.BitErrorRate, 1e-2, population.Count, 5, trial.Trial)) weights.Flip(population.Address(o));
            Assert.Equal(trial.Correct, Evaluator.CountCorrect(model, x, y));
            weights.Reset();
            Assert.True(result.Levels[2].Accuracy.Mean < result.Levels[0].Accuracy.Mean, "more faults should hurt more");
        }
    }

    [Fact]
    public void RepairHookRunsAfterTheFlipsAndItsWritesAreUndone()
    {
        var (model, x, y) = TinyClassifier.Create(seed: 3, samples: 64);
        using (model)
        {
            var target = FlipTarget.Create(model);
            long clean = Evaluator.CountCorrect(model, x, y);
            var oracle = new RestoreEverything(target);
            var result = RandomFaultInjection.Run(target, x, y, Options(null) with { Repair = oracle });
            Assert.Equal(clean, Evaluator.CountCorrect(model, x, y));
            foreach (var t in result.Levels.SelectMany(l => l.Trials))
            {
                Assert.Equal(clean, t.RepairedCorrect);
                Assert.Equal(t.Flips > 0, t.Detected);
            }
            Assert.NotNull(result.Levels[0].DetectionRate);
        }
    }

    [Fact]
    public void KilledCampaignResumedEqualsUninterruptedCampaign()
    {
        using var dir = new TempDirectory();
        var (model, x, y) = TinyClassifier.Create(seed: 3, samples: 64);
        using (model)
        {
            var target = FlipTarget.Create(model);
            var straight = RandomFaultInjection.Run(target, x, y, Options(dir.File("a")));
            using var cts = new CancellationTokenSource();
            var killer = new ProgressRelay<InjectionProgress>(p => { if (p.Done == 17) cts.Cancel(); });
            Assert.Throws<OperationCanceledException>(() => RandomFaultInjection.Run(target, x, y, Options(dir.File("b")), killer, cts.Token));
            Assert.Throws<FlipGuardException>(() => RandomFaultInjection.Run(target, x, y, Options(dir.File("b"))));
            var resumed = RandomFaultInjection.Run(target, x, y, Options(dir.File("b"), resume: true));
            Assert.Equal(17, resumed.ResumedTrials);
            Assert.Equal(Json(straight.Levels.Select(l => l.Trials)), Json(resumed.Levels.Select(l => l.Trials)));
            Assert.Equal(Json(straight.Levels), Json(resumed.Levels));
        }
    }

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, RecordJournal.Json);
}
