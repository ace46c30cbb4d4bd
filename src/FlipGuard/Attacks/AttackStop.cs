namespace FlipGuard.Attacks;

/// <summary>Why an attack stopped.</summary>
public enum AttackStop
{
    /// <summary>Test accuracy fell to the target.</summary>
    TargetReached,
    /// <summary>The flip budget ran out first.</summary>
    Budget,
    /// <summary>No remaining bit flip is predicted to raise the loss (or every gradient is NaN).</summary>
    NoCandidate,
}
