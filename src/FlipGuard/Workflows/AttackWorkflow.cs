using FlipGuard.Attacks;
using FlipGuard.Defenses;

namespace FlipGuard.Workflows;

/// <summary>
/// "Attack a model" (the progressive bit search), plain or through a run-time defense, as <c>flipguard attack</c>,
/// <c>flipguard defend --run attack</c> and the studies' attack and defense analyses all run it, so the journal
/// records the same identity and a defended attack is judged the same way whoever runs it.
/// </summary>
public static class AttackWorkflow
{
    /// <summary>
    /// Attacks <paramref name="model"/>'s target with batches from its pool, measuring accuracy on its evaluation set.
    /// The caller's options say how to attack, where the journal goes and whether to resume; the workflow adds the
    /// model's identity (<see cref="AttackOptions.CheckpointSha256"/>, <see cref="AttackOptions.Dataset"/>) and, with a
    /// <paramref name="defense"/> already protecting the target, the defense's repair after each flip with the target
    /// judged on the repaired accuracy (<see cref="AttackOptions.TargetOnRepaired"/>): the flips a protected deployment
    /// loses to. The attacker never sees the repair.
    /// </summary>
    /// <exception cref="Core.FlipGuardException">As <see cref="ProgressiveBitSearch.Run"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancel"/> fired; committed flips stay in the journal.</exception>
    public static AttackResult Run(ModelUnderTest model, AttackOptions options, IDefense? defense = null, IProgress<AttackProgress>? progress = null,
        CancellationToken cancel = default)
    {
        var identified = options with { CheckpointSha256 = model.WeightsSha256, Dataset = model.Dataset };
        if (defense is not null) identified = identified with { Repair = new DefenseRepair(defense), TargetOnRepaired = true };
        return ProgressiveBitSearch.Run(model.Target, model.PoolImages, model.PoolLabels, model.TestImages, model.TestLabels, identified, progress, cancel);
    }
}
