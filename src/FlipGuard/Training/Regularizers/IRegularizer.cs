using FlipGuard.Core;
using FlipGuard.Training.Objectives;

namespace FlipGuard.Training.Regularizers;

/// <summary>
/// A regulariser as <c>flipguard train --reg NAME</c> and a study's <c>reg: NAME</c> name it: the settings it reads,
/// the step objective it trains with and the words a report describes it by. One implementation per regulariser,
/// listed once in <see cref="RegularizerCatalog"/>; the CLI's options, the study file's keys, the recipe key and the
/// report all take it from there, so adding a regulariser touches nothing else.
/// </summary>
public interface IRegularizer : ICatalogEntry
{
    /// <summary>The objective for a recipe's <paramref name="settings"/>, its random choices seeded by <paramref name="seed"/>.</summary>
    /// <exception cref="FlipGuardException">A setting is out of range (the message names the option).</exception>
    IStepObjective Create(SettingValues settings, long seed);

    /// <summary>The regulariser in a report's words (<c>HAT trace λ=0.01, layers sample:1 every 4 steps</c>).</summary>
    string Describe(SettingValues settings);
}

/// <summary>
/// A regulariser with its own settings record: it reads the record from the recipe's values once, and builds and
/// describes from the record, so its settings are typed and named in one place.
/// </summary>
/// <typeparam name="TSettings">The regulariser's settings record.</typeparam>
public abstract class Regularizer<TSettings> : IRegularizer
{
    /// <inheritdoc />
    public abstract string Name { get; }

    /// <inheritdoc />
    public abstract string? Summary { get; }

    /// <inheritdoc />
    public abstract IReadOnlyList<Setting> Settings { get; }

    /// <summary>The record of <paramref name="settings"/> (defaults for settings not given).</summary>
    public abstract TSettings Read(SettingValues settings);

    /// <summary>The objective for <paramref name="settings"/>.</summary>
    /// <exception cref="FlipGuardException">A setting is out of range.</exception>
    public abstract IStepObjective Create(TSettings settings, long seed);

    /// <summary>The report's words for <paramref name="settings"/>.</summary>
    public abstract string Describe(TSettings settings);

    /// <inheritdoc />
    public IStepObjective Create(SettingValues settings, long seed) => Create(Read(settings), seed);

    /// <inheritdoc />
    public string Describe(SettingValues settings) => Describe(Read(settings));
}
