using FlipGuard.Faults.Evaluation;
using FlipGuard.Faults.Targets;

namespace FlipGuard.Injection;

/// <summary>
/// A random-fault campaign: for each level (a bit-error rate, or an exact number of flipped bits) run
/// <see cref="Trials"/> seeded trials, each flipping random bits of the selected positions of every flippable
/// tensor, and measure test accuracy. <see cref="CheckpointSha256"/>, <see cref="Dataset"/> and <see cref="Chunk"/>
/// identify the run in its journal (the library cannot know where the model came from).
/// </summary>
public sealed record InjectionOptions(InjectionMode Mode, IReadOnlyList<double> Levels, BitSelection Bits)
{
    /// <summary>Trials per level.</summary>
    public int Trials { get; init; } = 100;
    /// <summary>Seed; trial t of level L draws from its own stream of it, so trials are independent of their order and of other levels.</summary>
    public ulong Seed { get; init; }
    /// <summary>Folder for the journal (null = nothing on disk, no resume).</summary>
    public string? JournalDirectory { get; init; }
    /// <summary>Continue the journal in <see cref="JournalDirectory"/>.</summary>
    public bool Resume { get; init; }
    /// <summary>SHA-256 of the model's weights (the checkpoint's), part of the journal's definition.</summary>
    public string CheckpointSha256 { get; init; } = "";
    /// <summary>Dataset of the evaluation set, part of the definition.</summary>
    public string Dataset { get; init; } = "";
    /// <summary>Samples per forward pass (see <see cref="NaiveFlipEvaluator"/>).</summary>
    public int Chunk { get; init; } = NaiveFlipEvaluator.DefaultChunk;
    /// <summary>Optional defense, called after the flips of each trial (see <see cref="IFaultRepair"/>).</summary>
    public IFaultRepair? Repair { get; init; }
}

/// <summary>How a random-fault campaign's levels are read.</summary>
public enum InjectionMode
{
    /// <summary>Each level is a bit-error rate: every bit flips independently with that probability.</summary>
    BitErrorRate,
    /// <summary>Each level is a number of bits: exactly that many distinct bits flip, chosen uniformly.</summary>
    FixedCount,
}
