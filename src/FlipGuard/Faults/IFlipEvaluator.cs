namespace FlipGuard.Faults;

/// <summary>Counts correct predictions of the model with ONE change applied (each change evaluated independently).</summary>
public interface IFlipEvaluator : IDisposable
{
    /// <summary>Evaluation samples.</summary>
    int Samples { get; }

    /// <summary>Correct predictions of the unchanged model.</summary>
    long CleanCorrect { get; }

    /// <summary>For each change, the number of correct predictions with that change alone applied.</summary>
    void Evaluate(ReadOnlySpan<ParameterChange> changes, Span<long> correct);
}
