using FlipGuard.Defenses;
using FlipGuard.Injection;

namespace FlipGuard.Workflows;

/// <summary>
/// "Inject random faults into a model", plain or through a run-time defense, as <c>flipguard inject</c>,
/// <c>flipguard defend --run inject</c> and the studies' injection analysis all run it, so the journal records the
/// same identity whoever runs it.
/// </summary>
public static class InjectionWorkflow
{
    /// <summary>
    /// Runs the trials <paramref name="options"/> describes on <paramref name="model"/>'s target, measuring accuracy on
    /// its evaluation set. The caller's options say which levels and trials, where the journal goes and whether to
    /// resume; the workflow adds the model's identity (<see cref="InjectionOptions.CheckpointSha256"/>,
    /// <see cref="InjectionOptions.Dataset"/>) and, with a <paramref name="defense"/> already protecting the target, the
    /// defense's repair after the flips of each trial.
    /// </summary>
    /// <exception cref="Core.FlipGuardException">As <see cref="RandomFaultInjection.Run"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancel"/> fired; finished trials stay in the journal.</exception>
    public static InjectionResult Run(ModelUnderTest model, InjectionOptions options, IDefense? defense = null, IProgress<InjectionProgress>? progress = null,
        CancellationToken cancel = default)
    {
        var identified = options with { CheckpointSha256 = model.WeightsSha256, Dataset = model.Dataset };
        if (defense is not null) identified = identified with { Repair = new DefenseRepair(defense) };
        return RandomFaultInjection.Run(model.Target, model.TestImages, model.TestLabels, identified, progress, cancel);
    }
}
