using FlipGuard.Core;
using FlipGuard.Defenses.Ranking;
using FlipGuard.Faults.Targets;

namespace FlipGuard.Defenses;

/// <summary>
/// A defense as a user names it (<c>flipguard defend --defense</c>, a study's <c>analyses.defense.defenses</c>): its
/// name in <see cref="DefenseCatalog"/> and the settings given, the one place that turns both into a protecting
/// <see cref="IDefense"/>, so the command line and the study build exactly the same defense from the same words.
/// </summary>
/// <param name="Kind">One of <see cref="DefenseCatalog"/>'s names.</param>
/// <param name="Settings">The settings given (the kind reads its own; a setting not given has its default).</param>
public sealed record DefenseChoice(string Kind, SettingValues Settings)
{
    /// <summary>The catalogue entry of <see cref="Kind"/>.</summary>
    /// <exception cref="FlipGuardException">The kind is unknown.</exception>
    public IDefenseKind Entry => DefenseCatalog.Default.Find(Kind)
        ?? throw new FlipGuardException($"unknown defense '{Kind}' (known: {string.Join(", ", DefenseCatalog.Default.Names)})");

    /// <summary>
    /// Builds the defense and protects <paramref name="target"/> (its clean state). <paramref name="hessianScores"/>
    /// ranks the entries by the Hessian when only a share of the words gets check bits (hessian-ecc, or ecc with a
    /// share below 1 and the Hessian ranking); it is not called otherwise, so the expensive ranking is only computed
    /// when needed. <paramref name="seed"/> draws a random ranking.
    /// </summary>
    /// <exception cref="FlipGuardException">Unknown kind, or a setting out of range (a share outside [0, 1]).</exception>
    public IDefense Create(FlipTarget target, Func<EntryScores> hessianScores, ulong seed = 0)
    {
        var defense = Entry.Create(Settings, new DefenseContext(target, hessianScores, seed));
        defense.Protect(target);
        return defense;
    }

    /// <summary>The defense in a report's words (<c>SEC-DED ECC on every 64-bit word</c>).</summary>
    /// <exception cref="FlipGuardException">The kind is unknown.</exception>
    public string Describe() => Entry.Describe(Settings);
}
