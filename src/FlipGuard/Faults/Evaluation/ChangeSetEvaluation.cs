using FlipGuard.Faults.Targets;
using FlipGuard.Models;
using static TorchSharp.torch;

namespace FlipGuard.Faults.Evaluation;

/// <summary>
/// The naive evaluation of several parameter changes applied TOGETHER (a zeroed checksum group, an attack's flips so
/// far): write them all into the live parameters, count correct predictions with one full forward pass over the
/// evaluation set, and write the exact old values back (in reverse order, so repeated entries restore correctly).
/// </summary>
public static class ChangeSetEvaluation
{
    /// <summary>Correct predictions of <paramref name="target"/>'s model with all of <paramref name="changes"/> applied.</summary>
    public static long CountCorrect(FlipTarget target, ReadOnlySpan<ParameterChange> changes, Tensor images, Tensor labels, int chunk = NaiveFlipEvaluator.DefaultChunk)
    {
        var old = new Tensor[changes.Length];
        int applied = 0;
        using var scope = NewDisposeScope();
        try
        {
            using (no_grad())
            {
                for (; applied < changes.Length; applied++)
                {
                    var c = changes[applied];
                    var t = target.Tensors[c.Tensor];
                    if ((ulong)c.Index >= (ulong)t.Length) throw new ArgumentOutOfRangeException(nameof(changes), $"index {c.Index} outside {t.Name} ({t.Length} entries)");
                    var flat = t.Parameter.view(-1);
                    var at = TensorIndex.Single(c.Index);
                    old[applied] = flat[at].clone();
                    flat.index_put_(tensor(c.NewValue, device: flat.device), at);
                }
            }
            return Evaluator.CountCorrect(target.Model, images, labels, chunk);
        }
        finally
        {
            using (no_grad())
                for (int i = applied - 1; i >= 0; i--)
                    target.Tensors[changes[i].Tensor].Parameter.view(-1).index_put_(old[i], TensorIndex.Single(changes[i].Index));
        }
    }
}
