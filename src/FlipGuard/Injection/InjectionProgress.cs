namespace FlipGuard.Injection;

/// <summary>Progress of a random-fault campaign, after each trial: trials done (including resumed ones) of the total, and the estimated time left.</summary>
public readonly record struct InjectionProgress(long Done, long Total, long Resumed, double Level, TimeSpan? Remaining);
