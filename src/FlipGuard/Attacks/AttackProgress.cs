namespace FlipGuard.Attacks;

/// <summary>Progress of an attack campaign after each committed flip: which seed (0-based of how many), flips so far, loss and test accuracy.</summary>
public readonly record struct AttackProgress(int SeedIndex, int Seeds, ulong Seed, int Flips, int MaxFlips, double Loss, double Accuracy,
    double CleanAccuracy, double TargetAccuracy);
