using FlipGuard.Faults.Evaluation;
using FlipGuard.Faults.Targets;

namespace FlipGuard.Attacks;

/// <summary>
/// How a progressive bit search runs: which bit positions it may flip, how many candidates per tensor it tries,
/// the attack-batch size, when it stops (target accuracy or flip budget), and one attack per seed (each seed draws
/// its own attack batch). <see cref="CheckpointSha256"/>, <see cref="Dataset"/> and <see cref="Chunk"/> identify the
/// run in its journal.
/// </summary>
public sealed record AttackOptions(BitSelection Bits)
{
    /// <summary>Candidates per tensor whose loss is actually evaluated (BFA's top-k).</summary>
    public int TopK { get; init; } = 10;
    /// <summary>Samples in the attack batch (drawn from the attack pool, never from the evaluation set).</summary>
    public int BatchSize { get; init; } = 128;
    /// <summary>Stop once test accuracy is at or below this; null = chance + 1 point (1/classes + 0.01).</summary>
    public double? TargetAccuracy { get; init; }
    /// <summary>Stop after this many flips if the target is not reached (the flip budget).</summary>
    public int MaxFlips { get; init; } = 100;
    /// <summary>One attack per seed; the seed chooses the attack batch.</summary>
    public IReadOnlyList<ulong> Seeds { get; init; } = [0];
    /// <summary>Folder for the journal (null = nothing on disk, no resume).</summary>
    public string? JournalDirectory { get; init; }
    /// <summary>Continue the journal in <see cref="JournalDirectory"/>.</summary>
    public bool Resume { get; init; }
    /// <summary>SHA-256 of the model's weights (the checkpoint's), part of the journal's definition.</summary>
    public string CheckpointSha256 { get; init; } = "";
    /// <summary>Dataset name, part of the definition.</summary>
    public string Dataset { get; init; } = "";
    /// <summary>Samples per forward pass of the test evaluation.</summary>
    public int Chunk { get; init; } = NaiveFlipEvaluator.DefaultChunk;
    /// <summary>
    /// Optional defense, called after each committed flip: the trajectory then also records whether it detected
    /// the corruption and the accuracy after its repair. The attacker does not see the repair (its next step starts
    /// from the corrupted, unrepaired weights), as in the usual evaluation of BFA defenses.
    /// </summary>
    public IFaultRepair? Repair { get; init; }
    /// <summary>
    /// Judge the target on the accuracy after the defense's repair instead of the undefended one, so that the flips
    /// counted are those a protected deployment loses to; needs <see cref="Repair"/>. The attacker still never sees the repair.
    /// </summary>
    public bool TargetOnRepaired { get; init; }
}
