using FlipGuard.Training;

namespace FlipGuard.Studies;

/// <summary>
/// One way of making a model that the study compares: a training recipe (<see cref="Template"/>; model, dataset and
/// seed are filled in per model), optionally fine-tuned from another recipe's model (<see cref="InitFrom"/>), or an
/// existing checkpoint (<see cref="Checkpoint"/>, used as it is, e.g. by <c>flipguard compare</c>).
/// </summary>
/// <param name="Name">Identifier in the study file and the store (<c>hat</c>).</param>
/// <param name="Label">Row label in the report (<c>HAT trace</c>).</param>
/// <param name="Template">The training recipe.</param>
/// <param name="InitFrom">Recipe whose model (same architecture and seed) this one starts from, or null.</param>
/// <param name="Checkpoint">A checkpoint to use instead of training, or null.</param>
public sealed record StudyRecipe(string Name, string Label, TrainingConfig Template, string? InitFrom = null, string? Checkpoint = null)
{
    /// <summary>What the report says about the recipe.</summary>
    public string Description => Checkpoint is not null ? $"existing checkpoint {Path.GetFileName(Checkpoint)}"
        : TrainingSettings.Describe(Template) + (InitFrom is not null ? $"; fine-tuned from '{InitFrom}'" : "");
}
