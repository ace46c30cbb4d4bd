using System.Text.Json.Serialization;
using FlipGuard.Faults.Encodings;

namespace FlipGuard.Injection;

/// <summary>
/// Everything that determines a random-fault campaign's numbers; its journal is only continued by a run with an equal
/// definition. The weight encoding's name is stored under the key <c>int8</c> the definition had before encodings
/// existed, float32 and int8 as false and true (<see cref="EncodingFlagJsonConverter"/>), so journals of those keep their bytes.
/// </summary>
public sealed record InjectionDefinition(string CheckpointSha256, string Dataset, int Samples, long CleanCorrect,
    [property: JsonPropertyName("int8"), JsonConverter(typeof(EncodingFlagJsonConverter))] string Encoding, string Bits,
    InjectionMode Mode, IReadOnlyList<double> Levels, int Trials, ulong Seed, int Chunk, string? Repair);
