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
}

/// <summary>A regulariser with its own settings record (see <see cref="CatalogEntry{TSettings}"/>).</summary>
/// <typeparam name="TSettings">The regulariser's settings record.</typeparam>
public abstract class Regularizer<TSettings> : CatalogEntry<TSettings>, IRegularizer
{
    /// <summary>The objective for <paramref name="settings"/>.</summary>
    /// <exception cref="FlipGuardException">A setting is out of range.</exception>
    public abstract IStepObjective Create(TSettings settings, long seed);

    /// <inheritdoc />
    public IStepObjective Create(SettingValues settings, long seed) => Create(Read(settings), seed);
}
