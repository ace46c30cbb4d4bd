using FlipGuard.Faults.Evaluation;
using FlipGuard.Faults.Targets;
using static TorchSharp.torch;

namespace FlipGuard.Defenses;

/// <summary>
/// Runs a sweep THROUGH a defense: each fault is first mapped to what the model computes with after the defense's
/// check (<see cref="IDefense.Outcome"/>). A corrected fault scores the clean count; a single resulting change goes to
/// the inner evaluator (batched, so the fast exact evaluators stay fast); several changes together (a zeroed RADAR
/// group) are evaluated naively with <see cref="ChangeSetEvaluation"/>. Exact whenever the inner evaluator is, since
/// every path ends in the same forward computation as the oracle's.
/// </summary>
public sealed class DefendedFlipEvaluator : IFlipEvaluator
{
    private readonly FlipTarget target;
    private readonly IDefense defense;
    private readonly IFlipEvaluator inner;
    private readonly Tensor images, labels;
    private readonly int chunk;
    private readonly bool ownsInner;
    private readonly List<ParameterChange> effect = [];

    /// <summary>
    /// Wraps <paramref name="inner"/> with <paramref name="defense"/>, already protecting <paramref name="target"/>;
    /// <paramref name="images"/>, <paramref name="labels"/> and <paramref name="chunk"/> must be those the inner evaluator
    /// uses. The inner evaluator is disposed with this one unless <paramref name="ownsInner"/> is false (several defenses
    /// swept in turn over the same clean model can share one, and its caches).
    /// </summary>
    public DefendedFlipEvaluator(FlipTarget target, IDefense defense, IFlipEvaluator inner, Tensor images, Tensor labels, int chunk = NaiveFlipEvaluator.DefaultChunk,
        bool ownsInner = true)
    {
        (this.target, this.defense, this.inner, this.images, this.labels, this.chunk, this.ownsInner) = (target, defense, inner, images, labels, chunk, ownsInner);
    }

    /// <inheritdoc />
    public int Samples => inner.Samples;

    /// <inheritdoc />
    public long CleanCorrect => inner.CleanCorrect;

    /// <summary>Faults the defense detected so far.</summary>
    public long Detected { get; private set; }
    /// <summary>Faults whose effect was fully undone.</summary>
    public long Neutralised { get; private set; }
    /// <summary>Faults that became a change of several entries (evaluated naively).</summary>
    public long MultiChange { get; private set; }

    /// <inheritdoc />
    public void Evaluate(ReadOnlySpan<ParameterChange> changes, Span<long> correct)
    {
        if (correct.Length < changes.Length) throw new ArgumentException("one count per change is needed", nameof(correct));
        var singles = new ParameterChange[changes.Length];
        var slot = new int[changes.Length];
        int n = 0;
        for (int i = 0; i < changes.Length; i++)
        {
            if (defense.Outcome(changes[i], effect)) Detected++;
            if (effect.Count == 0)
            {
                Neutralised++;
                correct[i] = inner.CleanCorrect;
            }
            else if (effect.Count == 1)
            {
                singles[n] = effect[0];
                slot[n++] = i;
            }
            else
            {
                MultiChange++;
                correct[i] = ChangeSetEvaluation.CountCorrect(target, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(effect), images, labels, chunk);
            }
        }
        if (n == 0) return;
        var counts = new long[n];
        inner.Evaluate(singles.AsSpan(0, n), counts);
        for (int k = 0; k < n; k++) correct[slot[k]] = counts[k];
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (ownsInner) inner.Dispose();
    }
}
