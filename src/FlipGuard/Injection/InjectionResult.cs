namespace FlipGuard.Injection;

/// <summary>The outcome of a random-fault campaign: its definition, the clean accuracy, the bit population and one summary per level.</summary>
public sealed record InjectionResult(InjectionDefinition Definition, double CleanAccuracy, long PopulationBits, IReadOnlyList<InjectionLevel> Levels)
{
    /// <summary>Trials read back from a journal rather than run by this process.</summary>
    public long ResumedTrials { get; init; }
    /// <summary>Wall-clock seconds this process spent.</summary>
    public double Seconds { get; init; }
}
