namespace FlipGuard.Sweeps;

/// <summary>Progress of a sweep, reported after each block: flips done (including resumed ones) of this shard's total.</summary>
public readonly record struct SweepProgress(long Done, long Total, long Resumed, double FlipsPerSecond, TimeSpan? Remaining);
