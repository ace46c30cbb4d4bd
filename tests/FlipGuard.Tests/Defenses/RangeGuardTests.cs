using FlipGuard.Defenses;
using FlipGuard.Faults.Encodings;

namespace FlipGuard.Tests.Defenses;

public class RangeGuardTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AnExponentMsbBlowUpIsZeroedOrClamped(bool zero)
    {
        var (target, _, _) = DefenseCases.Tiny(int8: false);
        var guard = new RangeGuard(zero);
        guard.Protect(target);
        int blowUps = 0;
        foreach (var (t, i) in DefenseCases.Entries(target))
        {
            float old = target.Tensors[t].ReadValues()[i];
            if (Float32Bits.IsSet(old, Float32Bits.ExponentMsb)) continue; // |w| < 2: bit 30 is 0
            var fault = DefenseOracle.FlipFault(target, t, i, Float32Bits.ExponentMsb);
            var outcome = DefenseOracle.Effect(guard, fault, out bool detected);
            Assert.True(detected);
            float max = target.Tensors[t].ReadValues().Max(), min = target.Tensors[t].ReadValues().Min();
            float expected = zero || float.IsNaN(fault.NewValue) ? 0f : Math.Clamp(fault.NewValue, min, max);
            Assert.Equal(expected, outcome[(t, i)]);
            var (report, changed) = DefenseOracle.RepairAfter(guard, target, fault);
            Assert.Equal(1, report.UnitsFlagged);
            DefenseOracle.AssertSameEffect(outcome, changed, target);
            blowUps++;
        }
        Assert.True(blowUps > 50);
    }

    [Fact]
    public void FlipsThatStayInRangePassUnnoticed()
    {
        var (target, _, _) = DefenseCases.Tiny(int8: false);
        var guard = new RangeGuard();
        guard.Protect(target);
        var fault = DefenseOracle.FlipFault(target, 0, 3, 0); // mantissa LSB
        var outcome = DefenseOracle.Effect(guard, fault, out bool detected);
        Assert.False(detected);
        Assert.Equal(fault.NewValue, outcome[(0, 3)]);
        var (report, changed) = DefenseOracle.RepairAfter(guard, target, fault);
        Assert.Equal(0, report.UnitsFlagged);
        Assert.Equal(fault.NewValue, changed[(0, 3)]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OutcomeEqualsWriteRepairDiffForEveryBit(bool int8)
    {
        var (target, _, _) = DefenseCases.Tiny(int8);
        var guard = new RangeGuard(zero: false);
        guard.Protect(target);
        DefenseOracle.AssertOutcomeEqualsRepair(guard, target, DefenseCases.Entries(target).Where((_, k) => k % 4 == 1));
    }

    [Fact]
    public void ACleanModelPassesTheCheckUnchanged()
    {
        var (target, x, _) = DefenseCases.Tiny(int8: false);
        using var before = DefenseCases.Predictions(target, x);
        var guard = new RangeGuard();
        guard.Protect(target);
        Assert.Equal(0, guard.Repair(target).UnitsFlagged);
        using var after = DefenseCases.Predictions(target, x);
        Assert.True(DefenseOracle.SamePredictions(before, after));
        Assert.Equal(64 * target.Tensors.Count, guard.Overhead.ExtraBits);
    }
}
