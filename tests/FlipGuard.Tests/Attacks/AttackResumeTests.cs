using System.Text.Json;
using FlipGuard.Attacks;
using FlipGuard.Core;
using FlipGuard.Faults.Encodings;
using FlipGuard.Faults.Targets;
using FlipGuard.Tests.Faults;

namespace FlipGuard.Tests.Attacks;

public class AttackResumeTests
{
    private static AttackOptions Options(string? journal, bool resume = false) => new(BitSelection.Parse("all", WeightEncodings.Int8))
    {
        BatchSize = 32, TopK = 3, MaxFlips = 6, TargetAccuracy = 0, Seeds = [4, 9], JournalDirectory = journal, Resume = resume,
    };

    [Fact]
    public void KilledAttackResumedEqualsUninterruptedAttack()
    {
        using var dir = new TempDirectory();
        var (model, pool, poolLabels, test, testLabels) = TinyClassifier.AttackCase();
        using (model)
        {
            var target = FlipTarget.Create(model, WeightEncodings.Int8);
            var straight = ProgressiveBitSearch.Run(target, pool, poolLabels, test, testLabels, Options(dir.File("a")));
            Assert.All(straight.Trajectories, t => Assert.Equal(AttackStop.Budget, t.Stop));
            Assert.All(straight.Trajectories, t => Assert.Equal(6, t.Steps.Count));
            Assert.NotEqual(string.Join(" ", straight.Trajectories[0].Steps.Select(s => $"{s.Tensor}:{s.Index}:{s.Bit}")), string.Join(" ", straight.Trajectories[1].Steps.Select(s => $"{s.Tensor}:{s.Index}:{s.Bit}")));

            // Kill during the second seed, after two of its flips.
            using var cts = new CancellationTokenSource();
            var killer = new ProgressRelay<AttackProgress>(p => { if (p.SeedIndex == 1 && p.Flips == 2) cts.Cancel(); });
            Assert.Throws<OperationCanceledException>(() => ProgressiveBitSearch.Run(target, pool, poolLabels, test, testLabels, Options(dir.File("b")), killer, cts.Token));
            Assert.Throws<FlipGuardException>(() => ProgressiveBitSearch.Run(target, pool, poolLabels, test, testLabels, Options(dir.File("b"))));
            var resumed = ProgressiveBitSearch.Run(target, pool, poolLabels, test, testLabels, Options(dir.File("b"), resume: true));
            Assert.Equal(1, resumed.ResumedSeeds);
            Assert.Equal(Json(straight.Trajectories), Json(resumed.Trajectories));

            // A journal of another attack definition is refused.
            Assert.Throws<FlipGuardException>(() => ProgressiveBitSearch.Run(target, pool, poolLabels, test, testLabels, Options(dir.File("b"), resume: true) with { TopK = 4 }));
        }
    }

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, RecordJournal.Json);
}
