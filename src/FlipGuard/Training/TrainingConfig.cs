using FlipGuard.Core;
using FlipGuard.Training.Objectives;

namespace FlipGuard.Training;

/// <summary>
/// A training recipe: every choice that changes the resulting weights, so that a checkpoint records how it
/// was made and a rerun with the same config and seed reproduces it on the same machine.
/// </summary>
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

    /// <summary>Regulariser: <c>none</c>, <c>trace</c> (λ·Tr H), <c>top-eig</c> (λ·Σ top eigenvalues) or <c>sam</c>.</summary>
    public string Regularizer { get; init; } = "none";
    /// <summary>Weight λ of the Hessian penalty.</summary>
    public double Lambda { get; init; } = 0.01;
    /// <summary>Number of top eigenvalues penalised by <c>top-eig</c>.</summary>
    public int TopP { get; init; } = 1;
    /// <summary>SAM neighbourhood radius ρ.</summary>
    public double Rho { get; init; } = 0.05;
    /// <summary>
    /// Layers the Hessian penalty sees (<c>all</c>, <c>last:N</c>, <c>sample:K</c>, names). The default, one layer
    /// resampled at each regularised step, costs a fraction of <c>all</c> and cut the trace as much in our runs
    /// (docs/benchmarks.md, docs/results.md).
    /// </summary>
    public string HessianLayers { get; init; } = "sample:1";
    /// <summary>Add the Hessian penalty every N steps (default 4: with one sampled layer, ≈1.3× a plain step).</summary>
    public int RegEvery { get; init; } = 4;
    /// <summary>Hutchinson probes per regularised step.</summary>
    public int Probes { get; init; } = 1;
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
        if (Regularizer is not ("none" or "trace" or "top-eig" or "sam")) throw new FlipGuardException($"--reg must be none, trace, top-eig or sam, got '{Regularizer}'");
        if (WarmupEpochs < 0) throw new FlipGuardException($"--warmup-epochs must be ≥ 0, got {WarmupEpochs}");
        if (Regularizer != "none") CreateObjective();
        if (Schedule is not ("constant" or "cosine" or "step")) throw new FlipGuardException($"--schedule must be constant, cosine or step, got '{Schedule}'");
    }

    /// <summary>The step objective this recipe trains with after its warm-up epochs.</summary>
    /// <exception cref="FlipGuardException">A regulariser option is out of range.</exception>
    public IStepObjective CreateObjective() => Regularizer switch
    {
        "trace" => new HessianTraceObjective(Lambda, Probes, Hessian.LayerSelection.Parse(HessianLayers), RegEvery, Seed),
        "top-eig" => new TopEigenvalueObjective(Lambda, TopP, Hessian.LayerSelection.Parse(HessianLayers), RegEvery, Seed),
        "sam" => new SharpnessAwareObjective(Rho),
        _ => new CrossEntropyObjective(),
    };
}
