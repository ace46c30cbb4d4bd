using FlipGuard.Training;
using FlipGuard.Training.Regularizers;

namespace FlipGuard.Studies;

/// <summary>
/// The training keys of a study file (the <c>training</c> defaults and each recipe's overrides), named like the
/// options of <c>flipguard train</c> so that a recipe reads the same as the command that would make it. The
/// regularisers' keys come from <see cref="RegularizerCatalog"/>, as the command's options do.
/// </summary>
public static class TrainingSettings
{
    /// <summary>Keys understood by <see cref="Apply"/>.</summary>
    public static IReadOnlyList<string> Keys { get; } =
    [
        "epochs", "batch-size", "optimizer", "lr", "momentum", "weight-decay", "schedule", "train-limit",
        "reg", .. RegularizerCatalog.Default.Settings.Select(s => s.Key).Distinct(), "warmup-epochs",
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
        RegularizerSettings = c.RegularizerSettings.Read(RegularizerCatalog.Default.Settings, s),
        WarmupEpochs = s.Int("warmup-epochs", c.WarmupEpochs),
    };

    /// <summary>A short human description of a recipe (<c>HAT trace λ=0.01, layers sample:1 every 4 steps; 10 epochs, sgd lr 0.05</c>).</summary>
    public static string Describe(TrainingConfig c) => c.DescribeRegularizer() +
        $"; {c.Epochs} epoch{(c.Epochs == 1 ? "" : "s")}, {c.Optimizer} lr {c.LearningRate:G3}" + (c.WarmupEpochs > 0 ? $", {c.WarmupEpochs} warm-up" : "");
}
