using System.Text.Json.Serialization;

namespace FlipGuard.Attacks;

/// <summary>Everything that determines an attack's trajectories; a journal is only continued by a run with an equal definition.</summary>
public sealed record AttackDefinition(string CheckpointSha256, string Dataset, int Samples, long CleanCorrect, int AttackPool, bool Int8, string Bits,
    int TopK, int BatchSize, double TargetAccuracy, int MaxFlips, IReadOnlyList<ulong> Seeds, int Chunk, string? Repair)
{
    /// <summary>The target is judged on the repaired accuracy (left out of the JSON when off, so older journals keep their hash).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool TargetOnRepaired { get; init; }
}
