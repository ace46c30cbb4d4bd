namespace FlipGuard.Attacks;

/// <summary>
/// One attack (one seed, i.e. one attack batch): the clean loss, every committed flip in order, and once finished
/// why it stopped and how many flips it took to reach the target accuracy (null when it did not).
/// </summary>
public sealed record AttackTrajectory(ulong Seed, double CleanLoss, IReadOnlyList<AttackStep> Steps, AttackStop? Stop)
{
    /// <summary>Flips needed to reach the target, or null if the attack stopped for another reason (or is unfinished).</summary>
    public int? FlipsToTarget => Stop == AttackStop.TargetReached ? Steps.Count : null;
    /// <summary>With a defense: the number of the first flip it detected (null if none, or no defense).</summary>
    public int? FirstDetectedFlip => Steps.FirstOrDefault(s => s.Detected == true)?.Flip;
    /// <summary>With a defense: how many of the committed flips it detected when they were made.</summary>
    public int DetectedFlips => Steps.Count(s => s.Detected == true);
}
