using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using FlipGuard.Faults.Encodings;

namespace FlipGuard.Sweeps;

/// <summary>
/// Everything that determines a sweep's numbers: which weights (checkpoint SHA-256), which evaluation set
/// (dataset and sample count), which flips (bits, parameters and the sampling seed, the weight encoding) and the
/// evaluation chunk size. Journals and shard outputs carry its hash so that work from a different sweep is never mixed in.
/// The encoding's name is stored under the key the definition had before encodings existed (<c>Int8</c>, <c>int8</c>
/// under a camel-case policy, at the same place), float32 and int8 as false and true
/// (<see cref="EncodingFlagJsonConverter"/>), so definitions of those keep their hashes and their JSON.
/// A sweep run through a defense (<c>flipguard defend</c>) records the defense's name; undefended sweeps leave it null
/// and out of the JSON, so their hashes are those of sweeps made before defenses existed.
/// </summary>
public sealed record SweepDefinition(string CheckpointSha256, string Dataset, int Samples, string Bits, string Parameters, ulong? SampleSeed,
    [property: JsonIgnore] string Encoding, [property: JsonPropertyOrder(1)] int Chunk,
    [property: JsonPropertyOrder(1), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Defense = null)
{
    // The JSON of Encoding: a property named Int8 follows each serializer's naming policy, as the former bool did
    // (a JsonPropertyName would pin one spelling); order 0 places it after SampleSeed and before Chunk and Defense.
    [JsonInclude, JsonConverter(typeof(EncodingFlagJsonConverter))]
    private string Int8 { get => Encoding; init => Encoding = value; }

    /// <summary>SHA-256 (hex) of the definition's canonical JSON.</summary>
    public string Sha256() => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(JsonSerializer.Serialize(this))));

    /// <summary>The first field that differs from <paramref name="other"/>, for one-line error messages; null when equal.</summary>
    public string? FirstDifference(SweepDefinition other) =>
        CheckpointSha256 != other.CheckpointSha256 ? "checkpoint" :
        Dataset != other.Dataset ? "dataset" :
        Samples != other.Samples ? $"samples ({other.Samples} vs {Samples})" :
        Bits != other.Bits ? $"bits ({other.Bits} vs {Bits})" :
        Parameters != other.Parameters ? $"params ({other.Parameters} vs {Parameters})" :
        SampleSeed != other.SampleSeed ? $"seed ({other.SampleSeed} vs {SampleSeed})" :
        Encoding != other.Encoding ? $"encoding ({other.Encoding} vs {Encoding})" :
        Chunk != other.Chunk ? $"chunk ({other.Chunk} vs {Chunk})" :
        Defense != other.Defense ? $"defense ({other.Defense ?? "none"} vs {Defense ?? "none"})" : null;
}
