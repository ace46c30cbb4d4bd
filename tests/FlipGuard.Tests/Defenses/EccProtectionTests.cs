using FlipGuard.Defenses.Ecc;

namespace FlipGuard.Tests.Defenses;

public class EccProtectionTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EverySingleBitFlipInAWeightIsCorrected(bool int8)
    {
        var (target, _, _) = DefenseCases.Tiny(int8);
        var ecc = new EccProtection();
        ecc.Protect(target);
        foreach (var (t, i) in DefenseCases.Entries(target).Where((_, k) => int8 || k % 2 == 0))
            for (int bit = 0; bit < target.BitsPerEntry; bit++)
            {
                var fault = DefenseOracle.FlipFault(target, t, i, bit);
                var outcome = DefenseOracle.Effect(ecc, fault, out bool detected);
                Assert.True(detected);
                Assert.Empty(outcome);
                var (report, changed) = DefenseOracle.RepairAfter(ecc, target, fault);
                Assert.Equal((1L, 1L, 0L), (report.UnitsFlagged, report.Corrected, report.Uncorrectable));
                Assert.Empty(changed);
            }
    }

    [Fact]
    public void EverySingleFlipOfAStoredCheckBitIsCorrectedWithoutTouchingWeights()
    {
        var (target, _, _) = DefenseCases.Tiny(int8: false);
        var ecc = new EccProtection();
        ecc.Protect(target);
        var values = target.Tensors.Select(t => t.ReadValues()).ToArray();
        for (int bit = 0; bit < SecDedCode.CheckBits; bit++)
        {
            ecc.FlipCheckBit(1, 2, bit);
            var report = ecc.Repair(target);
            Assert.Equal((1L, 1L, 0L), (report.UnitsFlagged, report.Corrected, report.EntriesRewritten));
            Assert.Equal(0, ecc.Repair(target).UnitsFlagged); // check bits were rewritten
        }
        for (int t = 0; t < values.Length; t++) Assert.Equal(values[t], target.Tensors[t].ReadValues());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EveryDoubleFlipInAWordIsFlaggedAndTheWordZeroed(bool int8)
    {
        var (target, _, _) = DefenseCases.Tiny(int8);
        var ecc = new EccProtection();
        ecc.Protect(target);
        int perWord = EccWords.EntriesPerWord(target), width = target.BitsPerEntry;
        var values = target.Tensors[0].ReadValues();
        // Word 1 of tensor 0: all pairs of its data bits.
        for (int a = 0; a < 64; a++)
            for (int b = a + 1; b < 64; b += 5)
            {
                foreach (int j in new[] { a, b })
                {
                    long i = perWord + j / width;
                    float now = target.Tensors[0].ReadValues()[i];
                    uint word = StoredWords.Of(target.Tensors[0], now) ^ 1u << (j % width);
                    DefenseOracle.Write(target, 0, i, StoredWords.ValueOf(target.Tensors[0], word));
                }
                var report = ecc.Repair(target);
                Assert.Equal((1L, 0L, 1L), (report.UnitsFlagged, report.Corrected, report.Uncorrectable));
                var after = target.Tensors[0].ReadValues();
                for (int k = 0; k < perWord; k++) Assert.Equal(0f, after[perWord + k]);
                StoredWords.Write(target.Tensors[0], values);
                ecc.Protect(target);
            }
    }

    [Fact]
    public void SelectiveProtectionLeavesUnprotectedWordsBare()
    {
        var (target, _, _) = DefenseCases.Tiny(int8: false);
        var chosen = target.Tensors.Select(t => new bool[EccWords.Count(t.Length, 2)]).ToList();
        chosen[0][0] = true;
        var ecc = new EccProtection(new WordSelection("two words", chosen));
        ecc.Protect(target);
        Assert.Equal((2L, 8L), (ecc.Overhead.ProtectedEntries, ecc.Overhead.ExtraBits));
        var covered = DefenseOracle.Effect(ecc, DefenseOracle.FlipFault(target, 0, 1, 30), out bool hit);
        Assert.True(hit);
        Assert.Empty(covered);
        var fault = DefenseOracle.FlipFault(target, 0, 2, 30);
        var bare = DefenseOracle.Effect(ecc, fault, out bool seen);
        Assert.False(seen);
        Assert.Equal(fault.NewValue, bare[(0, 2)]);
        var (report, changed) = DefenseOracle.RepairAfter(ecc, target, fault);
        Assert.Equal(0, report.UnitsFlagged);
        DefenseOracle.AssertSameEffect(bare, changed, target);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ACleanModelPassesTheCheckUnchanged(bool int8)
    {
        var (target, x, _) = DefenseCases.Tiny(int8);
        using var before = DefenseCases.Predictions(target, x);
        var ecc = new EccProtection();
        ecc.Protect(target);
        Assert.Equal(0, ecc.Repair(target).UnitsFlagged);
        using var after = DefenseCases.Predictions(target, x);
        Assert.True(DefenseOracle.SamePredictions(before, after));
        long words = target.Tensors.Sum(t => EccWords.Count(t.Length, EccWords.EntriesPerWord(target)));
        Assert.Equal(8 * words, ecc.Overhead.ExtraBits);
    }
}
