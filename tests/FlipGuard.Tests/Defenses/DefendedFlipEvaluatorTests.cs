using FlipGuard.Defenses;
using FlipGuard.Defenses.Ecc;
using FlipGuard.Faults.Encodings;
using FlipGuard.Faults.Evaluation;
using FlipGuard.Faults.Targets;
using FlipGuard.Models;
using FlipGuard.Sweeps;

namespace FlipGuard.Tests.Defenses;

public class DefendedFlipEvaluatorTests
{
    public static TheoryData<string, bool> Cases() => new()
    {
        { "radar", false }, { "radar", true }, { "guard", false }, { "ecc", false }, { "ecc", true }, { "ecc-half", false },
    };

    private static IDefense Make(string name, FlipTarget target) => name switch
    {
        "radar" => new RadarChecksum(new RadarOptions(GroupSize: 6, Key: 1)),
        "guard" => new RangeGuard(),
        "ecc" => new EccProtection(),
        _ => new EccProtection(new WordSelection("every other word",
            target.Tensors.Select(t => Enumerable.Range(0, (int)EccWords.Count(t.Length, EccWords.EntriesPerWord(target))).Select(w => w % 2 == 0).ToArray()).ToList())),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void CountsEqualWriteRepairForwardRestore(string name, bool int8)
    {
        var (target, x, y) = DefenseCases.Tiny(int8);
        var defense = Make(name, target);
        defense.Protect(target);
        using var evaluator = new DefendedFlipEvaluator(target, defense, new NaiveFlipEvaluator(target, x, y), x, y);
        var sites = FlipSites.Create(target, BitSelection.Parse("all", WeightEncodings.FromInt8Flag(int8)), ParameterSelection.All, 0);
        var faults = new List<ParameterChange>();
        for (long o = 0; o < sites.Count; o += 7) faults.Add(sites.Change(o));
        var counts = new long[faults.Count];
        evaluator.Evaluate(faults.ToArray(), counts);
        for (int k = 0; k < faults.Count; k++)
        {
            var clean = target.Tensors.Select(t => t.ReadValues()).ToArray();
            DefenseOracle.Write(target, faults[k].Tensor, faults[k].Index, faults[k].NewValue);
            defense.Repair(target);
            long expected = Evaluator.CountCorrect(target.Model, x, y);
            for (int t = 0; t < clean.Length; t++) StoredWords.Write(target.Tensors[t], clean[t]);
            defense.Protect(target);
            Assert.Equal(expected, counts[k]);
        }
        Assert.True(evaluator.Detected > 0);
    }

    [Fact]
    public void ASweepThroughADefenseRecordsItAndFullEccLeavesNothingVulnerable()
    {
        var (target, x, y) = DefenseCases.Tiny(int8: false);
        var plain = BitFlipSweep.Run(target, new NaiveFlipEvaluator(target, x, y), new SweepOptions(BitSelection.Parse("30"), ParameterSelection.All));
        Assert.True(SweepSummary.From(plain).Overall.RadAbove10 > 0);
        var ecc = new EccProtection();
        ecc.Protect(target);
        using var evaluator = new DefendedFlipEvaluator(target, ecc, new NaiveFlipEvaluator(target, x, y), x, y);
        var defended = BitFlipSweep.Run(target, evaluator, new SweepOptions(BitSelection.Parse("30"), ParameterSelection.All) { Defense = ecc.Name });
        var s = SweepSummary.From(defended);
        Assert.Equal(ecc.Name, s.Definition.Defense);
        Assert.Equal(0, s.Overall.RadAbove10);
        Assert.NotEqual(SweepSummary.From(plain).DefinitionSha256, s.DefinitionSha256);
        Assert.DoesNotContain("Defense", System.Text.Json.JsonSerializer.Serialize(plain.Definition));
    }
}
