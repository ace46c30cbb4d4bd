using FlipGuard.Faults.Evaluation;
using FlipGuard.Faults.Targets;

namespace FlipGuard.Tests.Faults;

/// <summary>An evaluator wrapper counting how many changes it was asked to evaluate.</summary>
internal sealed class CountingEvaluator(IFlipEvaluator inner) : IFlipEvaluator
{
    public long Calls { get; private set; }
    public int Samples => inner.Samples;
    public long CleanCorrect => inner.CleanCorrect;
    public void Evaluate(ReadOnlySpan<ParameterChange> changes, Span<long> correct)
    {
        Calls += changes.Length;
        inner.Evaluate(changes, correct);
    }
    public void Dispose() => inner.Dispose();
}
