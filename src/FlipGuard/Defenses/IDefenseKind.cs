using FlipGuard.Core;
using FlipGuard.Defenses.Ranking;
using FlipGuard.Faults.Targets;

namespace FlipGuard.Defenses;

/// <summary>
/// A run-time defense as <c>flipguard defend --defense NAME</c> and a study's <c>analyses.defense.defenses</c> name it:
/// the settings it reads, how it is built and the words a report describes it by. One implementation per defense,
/// listed once in <see cref="DefenseCatalog"/>; the command's options and help, the study's name check and its
/// column descriptions all take it from there.
/// </summary>
public interface IDefenseKind : ICatalogEntry
{
    /// <summary>The defense for <paramref name="settings"/>, not yet protecting anything (<see cref="DefenseChoice.Create"/> protects).</summary>
    /// <exception cref="FlipGuardException">A setting is out of range.</exception>
    IDefense Create(SettingValues settings, DefenseContext context);
}

/// <summary>
/// What a defense may draw on besides its settings: the clean target it will protect, the Hessian ranking of its
/// entries (computed only when asked for: it costs Hessian-vector products over training data, which only the front
/// end can run), and the seed of a random ranking.
/// </summary>
/// <param name="Target">The clean target.</param>
/// <param name="HessianScores">Scores the entries by predicted damage.</param>
/// <param name="Seed">Seed of a random ranking.</param>
public sealed record DefenseContext(FlipTarget Target, Func<EntryScores> HessianScores, ulong Seed);

/// <summary>A defense with its own options record (see <see cref="CatalogEntry{TSettings}"/>).</summary>
/// <typeparam name="TOptions">The defense's options record.</typeparam>
public abstract class DefenseKind<TOptions> : CatalogEntry<TOptions>, IDefenseKind
{
    /// <summary>The defense for <paramref name="options"/>.</summary>
    /// <exception cref="FlipGuardException">An option is out of range.</exception>
    public abstract IDefense Create(TOptions options, DefenseContext context);

    /// <inheritdoc />
    public IDefense Create(SettingValues settings, DefenseContext context) => Create(Read(settings), context);
}
