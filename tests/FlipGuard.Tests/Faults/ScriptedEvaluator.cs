using FlipGuard.Faults.Evaluation;
using FlipGuard.Faults.Targets;

namespace FlipGuard.Tests.Faults;

/// <summary>
/// A fake evaluator for hand-checkable aggregates: 10 samples, 8 correct when clean; a huge new value leaves 0
/// correct, a value of magnitude 0.5 (a sign flip of ±0.5) leaves 7, anything else 9.
/// </summary>
internal sealed class ScriptedEvaluator : IFlipEvaluator
{
    public int Samples => 10;
    public long CleanCorrect => 8;
    public void Evaluate(ReadOnlySpan<ParameterChange> changes, Span<long> correct)
    {
        for (int i = 0; i < changes.Length; i++)
        {
            float v = Math.Abs(changes[i].NewValue);
            correct[i] = v > 1e30f ? 0 : v == 0.5f ? 7 : 9;
        }
    }
    public void Dispose() { }
}
