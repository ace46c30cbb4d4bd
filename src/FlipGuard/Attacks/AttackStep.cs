namespace FlipGuard.Attacks;

/// <summary>
/// One committed flip of an attack: its number (1-based), where (tensor, flat index, bit), the entry's value before
/// and after (int8: also the integers), the attack-batch loss and the test accuracy afterwards, and with a
/// defense whether it detected this flip, the accuracy after its repair and (when the defense counts them) how many
/// of its units the accumulated corruption has flagged.
/// </summary>
public sealed record AttackStep(int Flip, int Tensor, string TensorName, long Index, int Bit, float OldValue, float NewValue, int? OldQ, int? NewQ,
    double Loss, long Correct, double Accuracy, bool? Detected = null, long? RepairedCorrect = null, long? Flagged = null);
