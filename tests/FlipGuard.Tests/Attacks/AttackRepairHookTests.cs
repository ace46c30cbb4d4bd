using FlipGuard.Attacks;
using FlipGuard.Faults.Encodings;
using FlipGuard.Faults.Targets;
using FlipGuard.Models;
using FlipGuard.Tests.Faults;

namespace FlipGuard.Tests.Attacks;

public class AttackRepairHookTests
{
    [Fact]
    public void RepairIsMeasuredAfterEachFlipAndTheAttackerDoesNotSeeIt()
    {
        var (model, pool, poolLabels, test, testLabels) = TinyClassifier.AttackCase();
        using (model)
        {
            var target = FlipTarget.Create(model, WeightEncodings.Int8);
            long clean = Evaluator.CountCorrect(model, test, testLabels);
            var options = new AttackOptions(BitSelection.Parse("all", WeightEncodings.Int8)) { BatchSize = 32, TopK = 3, MaxFlips = 5, TargetAccuracy = 0, Seeds = [1] };
            var plain = ProgressiveBitSearch.Run(target, pool, poolLabels, test, testLabels, options);
            var defended = ProgressiveBitSearch.Run(target, pool, poolLabels, test, testLabels, options with { Repair = new RestoreEverything(target) });
            var p = plain.Trajectories[0].Steps;
            var d = defended.Trajectories[0].Steps;
            Assert.Equal(p.Select(s => (s.Tensor, s.Index, s.Bit, s.Correct, s.Loss)), d.Select(s => (s.Tensor, s.Index, s.Bit, s.Correct, s.Loss)));
            Assert.All(d, s => Assert.Equal(clean, s.RepairedCorrect));
            Assert.All(d, s => Assert.True(s.Detected));
            Assert.All(p, s => Assert.Null(s.Detected));
            Assert.True(p[^1].Correct < clean, "the attack should have hurt the undefended model");
            Assert.Equal(clean, Evaluator.CountCorrect(model, test, testLabels));
        }
    }
}
