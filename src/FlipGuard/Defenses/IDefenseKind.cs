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

    /// <summary>The defense in a report's words (<c>RADAR checksums (groups of 64, flagged groups zeroed)</c>).</summary>
    string Describe(SettingValues settings);
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

/// <summary>A defense with its own options record, read once from the choice's values.</summary>
/// <typeparam name="TOptions">The defense's options record.</typeparam>
public abstract class DefenseKind<TOptions> : IDefenseKind
{
    /// <inheritdoc />
    public abstract string Name { get; }

    /// <inheritdoc />
    public abstract string? Summary { get; }

    /// <inheritdoc />
    public abstract IReadOnlyList<Setting> Settings { get; }

    /// <summary>The record of <paramref name="settings"/> (defaults for settings not given).</summary>
    /// <exception cref="FlipGuardException">A setting cannot be read (a malformed bit list).</exception>
    public abstract TOptions Read(SettingValues settings);

    /// <summary>The defense for <paramref name="options"/>.</summary>
    /// <exception cref="FlipGuardException">An option is out of range.</exception>
    public abstract IDefense Create(TOptions options, DefenseContext context);

    /// <summary>The report's words for <paramref name="options"/>.</summary>
    public abstract string Describe(TOptions options);

    /// <inheritdoc />
    public IDefense Create(SettingValues settings, DefenseContext context) => Create(Read(settings), context);

    /// <inheritdoc />
    public string Describe(SettingValues settings) => Describe(Read(settings));
}
