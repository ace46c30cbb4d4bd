namespace FlipGuard.Injection;

/// <summary>
/// One random-fault trial: how many bits flipped, correct predictions after the flips, and — with a defense —
/// whether it detected anything and the correct predictions after its repair.
/// </summary>
public sealed record InjectionTrial(int Trial, long Flips, long Correct, bool? Detected = null, long? RepairedCorrect = null);
