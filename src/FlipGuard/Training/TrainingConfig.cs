using System.Text.Json.Serialization;
using FlipGuard.Core;
using FlipGuard.Training.Objectives;
using FlipGuard.Training.Regularizers;

namespace FlipGuard.Training;

/// <summary>
/// A training recipe: every choice that changes the resulting weights, so that a checkpoint records how it
/// was made and a rerun with the same config and seed reproduces it on the same machine.
/// </summary>
[JsonConverter(typeof(TrainingConfigJson))]
public sealed record TrainingConfig
{
    /// <summary>Zoo architecture name (<c>mlp</c>, <c>lenet5</c>, …).</summary>
    public string Model { get; init; } = "mlp";
    /// <summary>Dataset name (<c>mnist</c>, <c>fashion-mnist</c>, <c>cifar10</c>, …).</summary>
    public string Dataset { get; init; } = "mnist";
    /// <summary>Passes over the training set.</summary>
    public int Epochs { get; init; } = 10;
    /// <summary>Samples per optimisation step.</summary>
    public int BatchSize { get; init; } = 128;
    /// <summary><c>sgd</c> (with momentum) or <c>adam</c>.</summary>
    public string Optimizer { get; init; } = "sgd";
    /// <summary>Initial learning rate.</summary>
    public double LearningRate { get; init; } = 0.05;
    /// <summary>SGD momentum (ignored by Adam).</summary>
    public double Momentum { get; init; } = 0.9;
    /// <summary>L2 weight decay.</summary>
    public double WeightDecay { get; init; } = 5e-4;
    /// <summary>Learning-rate schedule: <c>constant</c>, <c>cosine</c> (to zero over the epochs) or <c>step</c> (×0.1 at 50% and 75%).</summary>
    public string Schedule { get; init; } = "cosine";
    /// <summary>Seed of the initial weights and of the batch order.</summary>
    public long Seed { get; init; }
    /// <summary>Use only the first N training samples (0 = all), for quick experiments.</summary>
    public int TrainLimit { get; init; }

    /// <summary>Regulariser, one of <see cref="RegularizerCatalog"/>'s names (<c>none</c>, <c>trace</c>, <c>top-eig</c>, <c>sam</c>).</summary>
    public string Regularizer { get; init; } = "none";
    /// <summary>
    /// The regularisers' settings (λ, ρ, layers, …; see each <see cref="IRegularizer"/>), a setting not given at its
    /// default. Held for every regulariser, not just the chosen one, because a study's training defaults are read
    /// before a recipe picks its regulariser; only the chosen one reads them, and only its settings make the recipe.
    /// </summary>
    public SettingValues RegularizerSettings { get; init; } = SettingValues.Empty;
    /// <summary>Plain epochs before the regulariser starts.</summary>
    public int WarmupEpochs { get; init; }
    /// <summary>SHA-256 of the checkpoint the run was initialised from (fine-tuning), or null for a fresh start.</summary>
    public string? InitWeightsSha256 { get; init; }

    /// <summary>Checks ranges and names; throws one readable sentence for the first problem found.</summary>
    /// <exception cref="FlipGuardException">A value is out of range.</exception>
    public void Validate()
    {
        if (Epochs < 1) throw new FlipGuardException($"--epochs must be at least 1, got {Epochs}");
        if (BatchSize < 1) throw new FlipGuardException($"--batch-size must be at least 1, got {BatchSize}");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new FlipGuardException($"--lr must be a positive number, got {LearningRate}");
        if (Momentum < 0 || Momentum >= 1) throw new FlipGuardException($"--momentum must be in [0, 1), got {Momentum}");
        if (WeightDecay < 0) throw new FlipGuardException($"--weight-decay must be ≥ 0, got {WeightDecay}");
        if (TrainLimit < 0) throw new FlipGuardException($"--train-limit must be ≥ 0, got {TrainLimit}");
        if (Optimizer is not ("sgd" or "adam")) throw new FlipGuardException($"--optimizer must be sgd or adam, got '{Optimizer}'");
        if (RegularizerCatalog.Default.Find(Regularizer) is null) throw new FlipGuardException($"--reg must be {RegularizerCatalog.Default.NameList}, got '{Regularizer}'");
        if (WarmupEpochs < 0) throw new FlipGuardException($"--warmup-epochs must be ≥ 0, got {WarmupEpochs}");
        if (Regularizer != "none") CreateObjective();
        if (Schedule is not ("constant" or "cosine" or "step")) throw new FlipGuardException($"--schedule must be constant, cosine or step, got '{Schedule}'");
    }

    /// <summary>The step objective this recipe trains with after its warm-up epochs.</summary>
    /// <exception cref="FlipGuardException">A setting of the regulariser is out of range.</exception>
    /// <remarks><see cref="Validate"/> refuses an unknown name; unvalidated, one trains (and reads) as plain cross-entropy.</remarks>
    public IStepObjective CreateObjective() => Chosen.Create(RegularizerSettings, Seed);

    /// <summary>The regulariser as a report puts it (<c>HAT trace λ=0.01, layers sample:1 every 4 steps</c>).</summary>
    public string DescribeRegularizer() => Chosen.Describe(RegularizerSettings);

    private IRegularizer Chosen => RegularizerCatalog.Default.Find(Regularizer) ?? Plain;

    private static readonly PlainRegularizer Plain = new();

    /// <summary>This recipe with <paramref name="setting"/> of a regulariser set to <paramref name="value"/>.</summary>
    public TrainingConfig With<T>(Setting<T> setting, T value) => this with { RegularizerSettings = RegularizerSettings.With(setting, value) };

    /// <summary>
    /// Two recipes are equal when they make the same model: when their JSON (<see cref="TrainingConfigJson"/>, what a
    /// checkpoint stores and the recipe key hashes) is. Settings of a regulariser the recipe does not use then do not
    /// count — except the six the four original regularisers share, which that JSON has always held.
    /// </summary>
    public bool Equals(TrainingConfig? other) => other is not null && TrainingConfigJson.Canonical(this) == TrainingConfigJson.Canonical(other);

    /// <inheritdoc />
    public override int GetHashCode() => TrainingConfigJson.Canonical(this).GetHashCode(StringComparison.Ordinal);
}
