using FlipGuard.Faults.Evaluation;
using FlipGuard.Faults.Targets;

namespace FlipGuard.Sweeps;

/// <summary>
/// What to sweep and how to run it. <see cref="CheckpointSha256"/>, <see cref="Dataset"/> and <see cref="Chunk"/> are
/// recorded in the <see cref="SweepDefinition"/> (the library cannot know where the model came from), so pass
/// the checkpoint's hash and the chunk the evaluator was built with.
/// </summary>
public sealed record SweepOptions(BitSelection Bits, ParameterSelection Parameters)
{
    /// <summary>Seed of the parameter sample (<c>sample:N</c>).</summary>
    public ulong Seed { get; init; }
    /// <summary>Flips per journal block: the unit of resumption (lost work after a kill is at most one block).</summary>
    public int BlockSize { get; init; } = 4096;
    /// <summary>Which part of the sweep this run evaluates.</summary>
    public SweepShard Shard { get; init; } = SweepShard.Whole;
    /// <summary>Folder for the journal (null = keep nothing on disk; the run cannot resume or be merged).</summary>
    public string? JournalDirectory { get; init; }
    /// <summary>Continue the journal found in <see cref="JournalDirectory"/> instead of refusing to touch it.</summary>
    public bool Resume { get; init; }
    /// <summary>SHA-256 of the swept weights (the checkpoint's), part of the definition.</summary>
    public string CheckpointSha256 { get; init; } = "";
    /// <summary>Dataset name of the evaluation set, part of the definition.</summary>
    public string Dataset { get; init; } = "";
    /// <summary>The evaluator's chunk size, part of the definition.</summary>
    public int Chunk { get; init; } = NaiveFlipEvaluator.DefaultChunk;
    /// <summary>Name of the defense the evaluator runs flips through (null = none), part of the definition.</summary>
    public string? Defense { get; init; }
    /// <summary>Name of the evaluator, recorded in the summary.</summary>
    public string EvaluatorName { get; init; } = "naive";
}
