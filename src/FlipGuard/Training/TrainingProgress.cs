namespace FlipGuard.Training;

/// <summary>Progress of a training run, reported after each optimisation step so a UI can draw a bar.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Epochs">Total epochs.</param>
/// <param name="Step">1-based step within the epoch.</param>
/// <param name="Steps">Steps per epoch.</param>
/// <param name="RunningLoss">Mean training loss over the epoch so far.</param>
/// <param name="Completed">The epoch record when this report closes an epoch, otherwise null.</param>
public sealed record TrainingProgress(int Epoch, int Epochs, int Step, int Steps, double RunningLoss, EpochRecord? Completed);
