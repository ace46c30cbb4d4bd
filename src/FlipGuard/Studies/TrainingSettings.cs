using FlipGuard.Training;

namespace FlipGuard.Studies;

/// <summary>
/// The training keys of a study file (the <c>training</c> defaults and each recipe's overrides), named like the
/// options of <c>flipguard train</c> so that a recipe reads the same as the command that would make it.
/// </summary>
public static class TrainingSettings
{
    /// <summary>Keys understood by <see cref="Apply"/>.</summary>
    public static IReadOnlyList<string> Keys { get; } =
    [
        "epochs", "batch-size", "optimizer", "lr", "momentum", "weight-decay", "schedule", "train-limit",
        "reg", "lambda", "top-p", "rho", "hessian-layers", "reg-every", "probes", "warmup-epochs",
    ];

    /// <summary><paramref name="c"/> with every training key present in <paramref name="s"/> applied.</summary>
    public static TrainingConfig Apply(StudySection s, TrainingConfig c) => c with
    {
        Epochs = s.Int("epochs", c.Epochs),
        BatchSize = s.Int("batch-size", c.BatchSize),
        Optimizer = s.String("optimizer", c.Optimizer),
        LearningRate = s.Double("lr", c.LearningRate),
        Momentum = s.Double("momentum", c.Momentum),
        WeightDecay = s.Double("weight-decay", c.WeightDecay),
        Schedule = s.String("schedule", c.Schedule),
        TrainLimit = s.Int("train-limit", c.TrainLimit),
        Regularizer = s.String("reg", c.Regularizer),
        Lambda = s.Double("lambda", c.Lambda),
        TopP = s.Int("top-p", c.TopP),
        Rho = s.Double("rho", c.Rho),
        HessianLayers = s.String("hessian-layers", c.HessianLayers),
        RegEvery = s.Int("reg-every", c.RegEvery),
        Probes = s.Int("probes", c.Probes),
        WarmupEpochs = s.Int("warmup-epochs", c.WarmupEpochs),
    };

    /// <summary>A short human description of a recipe's regulariser (<c>HAT trace λ=0.01, sample:1 every 4 steps</c>).</summary>
    public static string Describe(TrainingConfig c) => c.Regularizer switch
    {
        "trace" => $"HAT trace λ={c.Lambda:G3}, layers {c.HessianLayers}" + (c.RegEvery > 1 ? $" every {c.RegEvery} steps" : ""),
        "top-eig" => $"HAT top-{c.TopP} eigenvalue λ={c.Lambda:G3}, layers {c.HessianLayers}" + (c.RegEvery > 1 ? $" every {c.RegEvery} steps" : ""),
        "sam" => $"SAM ρ={c.Rho:G3}",
        _ => "plain cross-entropy",
    } + $"; {c.Epochs} epoch{(c.Epochs == 1 ? "" : "s")}, {c.Optimizer} lr {c.LearningRate:G3}" + (c.WarmupEpochs > 0 ? $", {c.WarmupEpochs} warm-up" : "");
}
