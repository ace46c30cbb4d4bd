using FlipGuard.Core;
using FlipGuard.Defenses;
using FlipGuard.Defenses.Ranking;
using FlipGuard.Studies;
using FlipGuard.Studies.Analyses;

namespace FlipGuard.Tests.Defenses;

/// <summary>
/// The defense catalogue: one entry per defense gives <c>flipguard defend</c> and a study the same names, settings,
/// defaults, construction and words.
/// </summary>
public class DefenseCatalogTests
{
    private static DefenseStudySettings StudySettings(string yaml) =>
        (DefenseStudySettings)StudyConfig.Parse($"name: t\nrecipes:\n  - name: p\nanalyses:\n  defense:\n{yaml}", "s.yaml", Path.GetTempPath()).Analyses[0].Settings;

    [Fact]
    public void TheCatalogueGivesTheNamesHelpAndOptionsOfDefend()
    {
        var c = DefenseCatalog.Default;
        Assert.Equal(["guard", "radar", "ecc", "hessian-ecc"], c.Names);
        Assert.Equal("guard (weight range), radar (checksums, zero the group), ecc (SEC-DED per 64-bit word) or hessian-ecc (ECC on the Hessian-ranked top words)", c.Help);
        Assert.Equal(["clamp", "group-size", "contiguous", "signature-bits", "key", "protect", "rank", "protect"], c.Settings.Select(s => s.Key));
        Assert.Equal(["hessian", "magnitude", "random"], EccKind.Rank.Choices);
    }

    /// <summary>The study's words for each defense: the column descriptions it wrote before the catalogue.</summary>
    [Fact]
    public void AStudyDescribesEachDefenseAsBefore()
    {
        var s = StudySettings("    defenses: [guard, radar, ecc, hessian-ecc]\n    group-size: 32\n    protect: 0.1\n");
        Assert.Equal("a range guard (out-of-range weights zeroed)", s.Choice("guard").Describe());
        Assert.Equal("RADAR checksums (groups of 32, flagged groups zeroed)", s.Choice("radar").Describe());
        Assert.Equal("SEC-DED ECC on every 64-bit word", s.Choice("ecc").Describe());       // a study's protect is hessian-ecc's share only
        Assert.Equal("SEC-DED ECC on the Hessian-ranked top 10% of the words", s.Choice("hessian-ecc").Describe());
        var d = StudySettings("    defenses: [hessian-ecc]\n");
        Assert.Equal((0.05, 64), (d.Protect, d.GroupSize));
        Assert.Equal("SEC-DED ECC on the Hessian-ranked top 5% of the words", d.Choice("hessian-ecc").Describe());
        var e = Assert.Throws<FlipGuardException>(() => StudySettings("    defenses: [guard, moat]\n"));
        Assert.Equal("s.yaml:6: analyses.defense.defenses: unknown defense 'moat' (known: guard, radar, ecc, hessian-ecc)", e.Message);
    }

    [Fact]
    public void EachDefenseReadsItsOwnSettings()
    {
        var values = SettingValues.Empty.With(RadarKind.GroupSize, 16).With(RadarKind.Contiguous, true).With(RadarKind.SignatureBits, "6,7")
            .With(RadarKind.Key, 9L).With(RangeGuardKind.Clamp, true).With(EccKind.Share, (double?)0.5).With(EccKind.Rank, "magnitude");
        var radar = new RadarKind().Read(values);
        Assert.Equal((16, false, 9UL), (radar.GroupSize, radar.Interleaved, radar.Key));
        Assert.Equal([6, 7], radar.SignatureBits);
        Assert.Equal("RADAR checksums (contiguous groups of 16, flagged groups zeroed)", new DefenseChoice("radar", values).Describe());
        Assert.Equal("a range guard (out-of-range weights clamped to the range)", new DefenseChoice("guard", values).Describe());
        Assert.Equal(new EccSettings(0.5, "magnitude"), new EccKind().Read(values));
        Assert.Equal(new EccSettings(0.05, "hessian"), new HessianEccKind().Read(values));      // ecc's share is not hessian-ecc's
        Assert.Equal("SEC-DED ECC on the magnitude-ranked top 50% of the words", new DefenseChoice("ecc", values).Describe());
    }

    [Theory]
    [InlineData("magnitude", 0)]
    [InlineData("random", 0)]
    [InlineData("hessian", 1)]
    public void EccRanksByItsRankingAndAsksForTheHessianOnlyForIt(string ranking, int hessianCalls)
    {
        var (target, _, _) = DefenseCases.Tiny(int8: false);
        int calls = 0;
        var values = SettingValues.Empty.With(EccKind.Share, (double?)0.5).With(EccKind.Rank, ranking);
        var defense = new DefenseChoice("ecc", values).Create(target, () => { calls++; return EntryScores.Magnitude(target); }, seed: 5);
        Assert.Equal(hessianCalls, calls);
        Assert.InRange(defense.Overhead.ProtectedEntries, 1, defense.Overhead.Entries - 1);
        Assert.Equal(0, defense.Repair(target).EntriesRewritten);
    }
}
