namespace FlipGuard.Training;

/// <summary>What one epoch achieved: mean training loss, test accuracy after it, learning rate used, wall time.</summary>
public sealed record EpochRecord(int Epoch, double TrainLoss, double TestAccuracy, double LearningRate, double Seconds);
