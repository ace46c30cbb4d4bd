using FlipGuard.Faults.Targets;

namespace FlipGuard.Sweeps;

/// <summary>
/// The raw outcome of a sweep (or of merged shards): the flip enumeration and one correct-prediction count per
/// ordinal, −1 where this run did not evaluate the flip (another shard's). Compact by design — millions of flips
/// are one int array; everything else about a flip is decoded from <see cref="Sites"/>.
/// </summary>
public sealed class SweepResult
{
    private readonly int[] correct;

    internal SweepResult(SweepDefinition definition, FlipSites sites, IReadOnlyList<SweepShard> shards, long cleanCorrect, int[] correct, string evaluator)
    {
        (Definition, Sites, Shards, CleanCorrect, this.correct, Evaluator) = (definition, sites, shards, cleanCorrect, correct, evaluator);
        foreach (int c in correct) if (c >= 0) Evaluated++;
    }

    /// <summary>What was swept.</summary>
    public SweepDefinition Definition { get; }
    /// <summary>The flip enumeration.</summary>
    public FlipSites Sites { get; }
    /// <summary>The shards whose flips are present (one for a single run, all of them after a merge).</summary>
    public IReadOnlyList<SweepShard> Shards { get; }
    /// <summary>Correct predictions of the unflipped model.</summary>
    public long CleanCorrect { get; }
    /// <summary>Evaluation samples.</summary>
    public int Samples => Definition.Samples;
    /// <summary>Flips with a count.</summary>
    public long Evaluated { get; }
    /// <summary>Which evaluator produced the counts.</summary>
    public string Evaluator { get; }
    /// <summary>Flips resumed from a journal rather than evaluated by this run.</summary>
    public long Resumed { get; internal init; }
    /// <summary>Wall-clock seconds this run spent evaluating.</summary>
    public double Seconds { get; internal init; }

    /// <summary>Correct predictions with flip <paramref name="ordinal"/> applied, or −1 if it was not evaluated.</summary>
    public int Correct(long ordinal) => correct[ordinal];

    /// <summary>All counts by ordinal (−1 = not evaluated).</summary>
    public ReadOnlySpan<int> Counts => correct;

    /// <summary>RAD of a count: (clean − correct)/clean, the relative accuracy drop.</summary>
    public double Rad(int correctCount) => (double)(CleanCorrect - correctCount) / CleanCorrect;
}
