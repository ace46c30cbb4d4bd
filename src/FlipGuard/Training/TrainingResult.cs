namespace FlipGuard.Training;

/// <summary>The outcome of a training run, ready to serialise: per-epoch history and the final test accuracy.</summary>
/// <param name="Config">The recipe that was run.</param>
/// <param name="Epochs">One record per epoch, including epochs restored from a resumed run.</param>
/// <param name="TestAccuracy">Accuracy after the last epoch, in [0, 1].</param>
/// <param name="TestSamples">Number of test samples behind it.</param>
/// <param name="ResumedFromEpoch">Epochs that were restored instead of run (0 for a fresh run).</param>
public sealed record TrainingResult(TrainingConfig Config, IReadOnlyList<EpochRecord> Epochs, double TestAccuracy, long TestSamples, int ResumedFromEpoch);
