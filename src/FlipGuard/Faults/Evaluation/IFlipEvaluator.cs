using FlipGuard.Faults.Targets;

namespace FlipGuard.Faults.Evaluation;

/// <summary>
/// Counts correct predictions of the model with ONE change applied (each change evaluated independently).
/// The sweep only talks to this interface, so the naive oracle (<see cref="NaiveFlipEvaluator"/>) and a fast
/// exact evaluator are interchangeable and can be checked against each other.
/// </summary>
public interface IFlipEvaluator : IDisposable
{
    /// <summary>Evaluation samples every count is out of.</summary>
    int Samples { get; }

    /// <summary>Correct predictions of the unchanged model.</summary>
    long CleanCorrect { get; }

    /// <summary>
    /// For each <c>changes[i]</c>, applies it alone, counts correct predictions into <c>correct[i]</c> and leaves
    /// the model exactly as it was. <paramref name="correct"/> has at least <c>changes.Length</c> entries.
    /// </summary>
    void Evaluate(ReadOnlySpan<ParameterChange> changes, Span<long> correct);
}
