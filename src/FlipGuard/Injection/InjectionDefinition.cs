namespace FlipGuard.Injection;

/// <summary>Everything that determines a random-fault campaign's numbers; its journal is only continued by a run with an equal definition.</summary>
public sealed record InjectionDefinition(string CheckpointSha256, string Dataset, int Samples, long CleanCorrect, bool Int8, string Bits,
    InjectionMode Mode, IReadOnlyList<double> Levels, int Trials, ulong Seed, int Chunk, string? Repair);
