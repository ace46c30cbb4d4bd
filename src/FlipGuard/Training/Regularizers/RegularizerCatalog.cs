using FlipGuard.Core;

namespace FlipGuard.Training.Regularizers;

/// <summary>
/// The regularisers this build knows, in help order. Adding one is its file (an <see cref="IRegularizer"/> with its
/// settings) and one line here: <c>flipguard train --reg</c> and its options, a study file's training keys, the
/// recipe key and the report's recipe description all follow. Its settings enter recipe keys only when it is used
/// (the recipe JSON, <c>Training.TrainingConfigJson</c>), so no existing key moves.
/// </summary>
public static class RegularizerCatalog
{
    /// <summary>The catalogue.</summary>
    public static Catalog<IRegularizer> Default { get; } = new(
    [
        new PlainRegularizer(),
        new TraceRegularizer(),
        new TopEigenvalueRegularizer(),
        new SharpnessAwareRegularizer(),
    ]);
}
