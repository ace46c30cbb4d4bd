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

/// <summary>
/// One committed flip of an attack: its number (1-based), where (tensor, flat index, bit), the entry's value before
/// and after (int8: also the integers), the attack-batch loss and the test accuracy afterwards, and with a
/// defense whether it detected this flip, the accuracy after its repair and (when the defense counts them) how many
/// of its units the accumulated corruption has flagged.
/// </summary>
public sealed record AttackStep(int Flip, int Tensor, string TensorName, long Index, int Bit, float OldValue, float NewValue, int? OldQ, int? NewQ,
    double Loss, long Correct, double Accuracy, bool? Detected = null, long? RepairedCorrect = null, long? Flagged = null);

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
