using System.Text.Json.Serialization;
using FlipGuard.Faults.Encodings;

namespace FlipGuard.Attacks;

/// <summary>
/// Everything that determines an attack's trajectories; a journal is only continued by a run with an equal definition.
/// The weight encoding's name is stored under the key <c>int8</c> the definition had before encodings existed, float32
/// and int8 as false and true (<see cref="EncodingFlagJsonConverter"/>), so journals of those keep their bytes.
/// </summary>
public sealed record AttackDefinition(string CheckpointSha256, string Dataset, int Samples, long CleanCorrect, int AttackPool,
    [property: JsonPropertyName("int8"), JsonConverter(typeof(EncodingFlagJsonConverter))] string Encoding, string Bits,
    int TopK, int BatchSize, double TargetAccuracy, int MaxFlips, IReadOnlyList<ulong> Seeds, int Chunk, string? Repair)
{
    /// <summary>The target is judged on the repaired accuracy (left out of the JSON when off, so older journals keep their hash).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool TargetOnRepaired { get; init; }
}
