using FlipGuard.Core;
using FlipGuard.Faults.Targets;
using FlipGuard.Models;
using static TorchSharp.torch;

namespace FlipGuard.Faults.Evaluation;

/// <summary>
/// THE ORACLE: for each change, writes the new value into the live parameter, runs the whole model over the
/// evaluation set with <see cref="Evaluator.CountCorrect"/> and writes the exact old value back. Slow (one full
/// forward per flip) but obviously right; every faster evaluator is tested against it.
/// Results are batch-size sensitive at the last ulp (a logit tie can break differently), so everything — this
/// oracle, the clean count and any fast evaluator — evaluates in chunks of 1000 samples unless told otherwise.
/// </summary>
public sealed class NaiveFlipEvaluator : IFlipEvaluator
{
    /// <summary>The chunk size every evaluator uses by default.</summary>
    public const int DefaultChunk = 1000;

    private readonly FlipTarget target;
    private readonly Tensor images, labels;
    private readonly int chunk;

    /// <summary>Evaluates <paramref name="target"/>'s model on <paramref name="images"/> in chunks of <paramref name="chunk"/>.</summary>
    /// <exception cref="FlipGuardException">Empty evaluation set, mismatched labels or a chunk below 1.</exception>
    public NaiveFlipEvaluator(FlipTarget target, Tensor images, Tensor labels, int chunk = DefaultChunk)
    {
        if (chunk < 1) throw new FlipGuardException($"--chunk must be ≥ 1, got {chunk}");
        if (images.shape[0] == 0) throw new FlipGuardException("the evaluation set is empty");
        if (labels.shape[0] != images.shape[0]) throw new FlipGuardException($"{images.shape[0]} images but {labels.shape[0]} labels");
        (this.target, this.images, this.labels, this.chunk) = (target, images, labels, chunk);
        Samples = checked((int)images.shape[0]);
        CleanCorrect = Evaluator.CountCorrect(target.Model, images, labels, chunk);
    }

    /// <inheritdoc />
    public int Samples { get; }

    /// <inheritdoc />
    public long CleanCorrect { get; }

    /// <inheritdoc />
    public void Evaluate(ReadOnlySpan<ParameterChange> changes, Span<long> correct)
    {
        if (correct.Length < changes.Length) throw new ArgumentException("one count per change is needed", nameof(correct));
        for (int i = 0; i < changes.Length; i++)
        {
            var c = changes[i];
            using var scope = NewDisposeScope();
            var t = target.Tensors[c.Tensor];
            if ((ulong)c.Index >= (ulong)t.Length) throw new ArgumentOutOfRangeException(nameof(changes), $"index {c.Index} outside {t.Name} ({t.Length} entries)");
            var flat = t.Parameter.view(-1);
            var at = TensorIndex.Single(c.Index);
            Tensor old;
            using (no_grad())
            {
                old = flat[at].clone();
                flat.index_put_(tensor(c.NewValue, device: flat.device), at);
            }
            try
            {
                correct[i] = Evaluator.CountCorrect(target.Model, images, labels, chunk);
            }
            finally
            {
                using (no_grad()) flat.index_put_(old, at);
            }
        }
    }

    /// <summary>Nothing to release: the target and data belong to the caller.</summary>
    public void Dispose() { }
}
