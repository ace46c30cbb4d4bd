namespace FlipGuard.Attacks;

/// <summary>Everything that determines an attack's trajectories; a journal is only continued by a run with an equal definition.</summary>
public sealed record AttackDefinition(string CheckpointSha256, string Dataset, int Samples, long CleanCorrect, int AttackPool, bool Int8, string Bits,
    int TopK, int BatchSize, double TargetAccuracy, int MaxFlips, IReadOnlyList<ulong> Seeds, int Chunk, string? Repair);
