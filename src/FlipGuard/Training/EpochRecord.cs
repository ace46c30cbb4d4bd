namespace FlipGuard.Training;

/// <summary>What one epoch achieved and cost.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="TrainLoss">Mean cross-entropy over the epoch's steps (without the regulariser).</param>
/// <param name="Regularizer">Mean regulariser value over the steps that computed it (trace, eigenvalue sum, or SAM's loss increase), null if none did.</param>
/// <param name="TestAccuracy">Test accuracy after the epoch, in [0, 1].</param>
/// <param name="LearningRate">Learning rate used.</param>
/// <param name="Seconds">Wall time of the epoch, evaluation included.</param>
/// <param name="StepMilliseconds">Mean wall time of one optimisation step.</param>
public sealed record EpochRecord(int Epoch, double TrainLoss, double? Regularizer, double TestAccuracy, double LearningRate, double Seconds, double StepMilliseconds);
