using FlipGuard.Core;
using FlipGuard.Defenses;
using FlipGuard.Defenses.Ranking;

namespace FlipGuard.Tests.Defenses;

/// <summary>A defense built from its name: the same defense the CLI and a study get, protecting the clean target, ranking only when needed.</summary>
public class DefenseChoiceTests
{
    /// <summary>The defense with the share given as <c>--protect</c> gives it (to ecc and hessian-ecc alike).</summary>
    private static DefenseChoice Choice(string kind, double share) =>
        new(kind, SettingValues.Empty.With(EccKind.Share, (double?)share).With(HessianEccKind.Share, (double?)share));

    [Theory]
    [InlineData("guard", 1.0, "guard(zero)", false)]
    [InlineData("radar", 1.0, "radar(group=64,interleaved,bits=top2,key=0)", false)]
    [InlineData("ecc", 1.0, "ecc(secded-72-64,all)", false)]
    [InlineData("hessian-ecc", 1.0, "ecc(secded-72-64,all)", false)]        // all words: no ranking needed
    [InlineData("hessian-ecc", 0.25, "ecc(secded-72-64,", true)]
    [InlineData("ecc", 0.25, "ecc(secded-72-64,", true)]
    public void BuildsTheNamedDefenseAndRanksOnlyForAShare(string kind, double share, string name, bool ranks)
    {
        var (target, _, _) = DefenseCases.Tiny(int8: false);
        int ranked = 0;
        var defense = Choice(kind, share).Create(target, () => { ranked++; return EntryScores.Magnitude(target); });
        Assert.StartsWith(name, defense.Name);
        Assert.Equal(ranks ? 1 : 0, ranked);
        Assert.True(defense.Overhead.ExtraBits > 0);                             // Protect ran on the clean target
        Assert.Equal(0, defense.Repair(target).EntriesRewritten);                // and the clean target passes its check
        if (ranks) Assert.InRange(defense.Overhead.ProtectedEntries, 1, defense.Overhead.Entries - 1);
    }

    [Theory]
    [InlineData("moat", 1.0, "unknown defense 'moat' (known: guard, radar, ecc, hessian-ecc)")]
    [InlineData("ecc", 1.5, "the protected share must be in [0, 1], got 1.5")]
    public void BadChoicesAreOneLineErrors(string kind, double share, string message)
    {
        var (target, _, _) = DefenseCases.Tiny(int8: false);
        var e = Assert.Throws<FlipGuardException>(() => Choice(kind, share).Create(target, () => EntryScores.Magnitude(target)));
        Assert.Equal(message, e.Message);
    }
}
