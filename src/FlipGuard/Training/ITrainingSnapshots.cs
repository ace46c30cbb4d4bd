using FlipGuard.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FlipGuard.Training;

/// <summary>
/// Where a training run keeps its per-epoch snapshots so a killed run resumes from its last finished epoch. An
/// interface so that training does not depend on the checkpoint format that stores them
/// (<c>Checkpoints.TrainingState</c> is the implementation; checkpoints depend on training, never the reverse).
/// </summary>
public interface ITrainingSnapshots
{
    /// <summary>Stores the state reached after <paramref name="epoch"/> and removes older snapshots.</summary>
    void Save(int epoch, TrainingConfig config, ModelSpec spec, nn.Module model, OptimizerHelper optimizer, IReadOnlyList<EpochRecord> history);

    /// <summary>
    /// Restores the latest snapshot into <paramref name="model"/> and <paramref name="optimizer"/>; returns its history,
    /// or null when there is none.
    /// </summary>
    IReadOnlyList<EpochRecord>? TryRestore(TrainingConfig config, nn.Module model, OptimizerHelper optimizer);

    /// <summary>Deletes all snapshots (after a run completed and its checkpoint is safely written).</summary>
    void Clear();
}
