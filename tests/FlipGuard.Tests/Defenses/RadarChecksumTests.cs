using FlipGuard.Defenses;
using FlipGuard.Defenses.Ecc;

namespace FlipGuard.Tests.Defenses;

public class RadarChecksumTests
{
    [Theory]
    [InlineData(false, true)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(true, false)]
    public void EverySingleFlipOfASignatureBitIsDetectedAndItsWholeGroupZeroed(bool int8, bool interleaved)
    {
        var (target, _, _) = DefenseCases.Tiny(int8);
        var radar = new RadarChecksum(new RadarOptions(GroupSize: 8, Interleaved: interleaved, Key: 5));
        radar.Protect(target);
        int top = target.BitsPerEntry - 1;
        foreach (var (t, i) in DefenseCases.Entries(target))
            foreach (int bit in new[] { top - 1, top })
            {
                var fault = DefenseOracle.FlipFault(target, t, i, bit);
                var outcome = DefenseOracle.Effect(radar, fault, out bool detected);
                Assert.True(detected, $"tensor {t} entry {i} bit {bit}");
                Assert.All(outcome.Values, v => Assert.Equal(0f, v));
                Assert.Contains((t, i), outcome.Keys);
                int groups = (int)((target.Tensors[t].Length + 7) / 8);
                Assert.All(outcome.Keys, k => Assert.Equal(interleaved ? i % groups : i / 8, interleaved ? k.Item2 % groups : k.Item2 / 8));
                var (report, changed) = DefenseOracle.RepairAfter(radar, target, fault);
                Assert.Equal(1, report.UnitsFlagged);
                DefenseOracle.AssertSameEffect(outcome, changed, target);
            }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OutcomeEqualsWriteRepairDiffForEveryBit(bool int8)
    {
        var (target, _, _) = DefenseCases.Tiny(int8);
        var radar = new RadarChecksum(new RadarOptions(GroupSize: 5, Key: 9));
        radar.Protect(target);
        int missed = DefenseOracle.AssertOutcomeEqualsRepair(radar, target, DefenseCases.Entries(target).Where((_, k) => k % 3 == 0));
        Assert.True(missed > 0, "low-order flips should slip through a two-bit signature (what the scheme does not promise)");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ACleanModelPassesTheCheckUnchanged(bool int8)
    {
        var (target, x, _) = DefenseCases.Tiny(int8);
        using var before = DefenseCases.Predictions(target, x);
        var values = target.Tensors.Select(t => t.ReadValues()).ToArray();
        var radar = new RadarChecksum(new RadarOptions(GroupSize: 4));
        radar.Protect(target);
        var report = radar.Repair(target);
        Assert.Equal((0L, 0L), (report.UnitsFlagged, report.EntriesRewritten));
        Assert.True(report.UnitsChecked > 0);
        using var after = DefenseCases.Predictions(target, x);
        Assert.True(DefenseOracle.SamePredictions(before, after));
        for (int t = 0; t < values.Length; t++) Assert.Equal(values[t], target.Tensors[t].ReadValues());
    }

    [Theory]
    [InlineData("radar")]
    [InlineData("ecc")]
    public void ReferencesStayCleanSoACorruptionPutBackIsFlaggedAgain(string kind)
    {
        var (target, _, _) = DefenseCases.Tiny(int8: true);
        IDefense defense = kind == "radar" ? new RadarChecksum(new RadarOptions(GroupSize: 8)) : new EccProtection();
        defense.Protect(target);
        var clean = target.Tensors[1].ReadValues();
        var fault = DefenseOracle.FlipFault(target, 1, 5, 7);
        var attacked = (float[])clean.Clone();
        attacked[5] = fault.NewValue;
        for (int round = 0; round < 3; round++)
        {
            StoredWords.Write(target.Tensors[1], attacked); // the attacker's state, written back by the caller
            Assert.Equal(1, defense.Repair(target).UnitsFlagged);
            Assert.NotEqual(fault.NewValue, target.Tensors[1].ReadValues()[5]);
        }
        StoredWords.Write(target.Tensors[1], clean);
        Assert.Equal(0, defense.Repair(target).UnitsFlagged);
    }

    [Fact]
    public void OverheadIsSignatureBitsPerGroupPlusTheKey()
    {
        var (target, _, _) = DefenseCases.Tiny(int8: false);
        var radar = new RadarChecksum(new RadarOptions(GroupSize: 8));
        radar.Protect(target);
        long groups = target.Tensors.Sum(t => (t.Length + 7) / 8);
        Assert.Equal(2 * groups + 64, radar.Overhead.ExtraBits);
        Assert.Equal(target.Tensors.Sum(t => t.Length), radar.Overhead.Entries);
    }
}
