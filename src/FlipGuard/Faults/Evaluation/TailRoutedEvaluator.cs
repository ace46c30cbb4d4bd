using FlipGuard.Faults.Targets;

namespace FlipGuard.Faults.Evaluation;

/// <summary>
/// One evaluator for a network whose tail has its own fast evaluator (a fully connected ReLU chain after
/// convolutions): changes of the tail's tensors go to <c>tail</c> (which numbers them among the tail's tensors only),
/// every other change to <c>rest</c> (which numbers tensors as the flip target does). Each count is its evaluator's,
/// so the pair is exact when both are.
/// </summary>
public sealed class TailRoutedEvaluator : IFlipEvaluator
{
    private readonly IFlipEvaluator tail, rest;
    private readonly int[] tailIndex;

    /// <summary>
    /// Routes by <paramref name="tailIndex"/>: for each of the target's tensors its index among the tail's tensors, or
    /// −1 for a tensor outside the tail. Takes ownership of both evaluators.
    /// </summary>
    /// <exception cref="InvalidOperationException">The two disagree on the evaluation set or its clean count (a bug).</exception>
    public TailRoutedEvaluator(IFlipEvaluator tail, int[] tailIndex, IFlipEvaluator rest)
    {
        if (tail.Samples != rest.Samples || tail.CleanCorrect != rest.CleanCorrect)
            throw new InvalidOperationException($"the tail and the rest evaluate different clean models ({tail.CleanCorrect}/{tail.Samples} vs {rest.CleanCorrect}/{rest.Samples})");
        (this.tail, this.tailIndex, this.rest) = (tail, tailIndex, rest);
    }

    /// <summary>The evaluator of the tail's changes.</summary>
    public IFlipEvaluator Tail => tail;

    /// <summary>The evaluator of every other change.</summary>
    public IFlipEvaluator Rest => rest;

    /// <summary>Whether changes of the target's tensor <paramref name="tensor"/> go to the tail's evaluator.</summary>
    public bool InTail(int tensor) => tailIndex[tensor] >= 0;

    /// <inheritdoc />
    public int Samples => tail.Samples;

    /// <inheritdoc />
    public long CleanCorrect => tail.CleanCorrect;

    /// <inheritdoc />
    public void Evaluate(ReadOnlySpan<ParameterChange> changes, Span<long> correct)
    {
        int inTail = 0;
        foreach (var c in changes) if (tailIndex[c.Tensor] >= 0) inTail++;
        if (inTail == 0) { rest.Evaluate(changes, correct); return; }
        var tailChanges = new ParameterChange[inTail];
        var restChanges = new ParameterChange[changes.Length - inTail];
        var tailAt = new int[inTail];
        var restAt = new int[restChanges.Length];
        int t = 0, r = 0;
        for (int k = 0; k < changes.Length; k++)
        {
            var c = changes[k];
            int local = tailIndex[c.Tensor];
            if (local >= 0) { tailAt[t] = k; tailChanges[t++] = c with { Tensor = local }; }
            else { restAt[r] = k; restChanges[r++] = c; }
        }
        var tailCounts = new long[inTail];
        tail.Evaluate(tailChanges, tailCounts);
        for (int k = 0; k < inTail; k++) correct[tailAt[k]] = tailCounts[k];
        if (restChanges.Length == 0) return;
        var restCounts = new long[restChanges.Length];
        rest.Evaluate(restChanges, restCounts);
        for (int k = 0; k < restAt.Length; k++) correct[restAt[k]] = restCounts[k];
    }

    /// <inheritdoc />
    public void Dispose()
    {
        tail.Dispose();
        rest.Dispose();
    }
}
