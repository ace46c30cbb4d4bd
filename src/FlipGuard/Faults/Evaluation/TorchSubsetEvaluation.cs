using FlipGuard.Faults.Targets;
using FlipGuard.Models;
using static TorchSharp.torch;

namespace FlipGuard.Faults.Evaluation;

/// <summary>
/// The exact fallback of the fast evaluators: applies one change to the real model and runs torch's forward on some
/// samples. Batches hold at least <see cref="MinimumRows"/> rows, because libtorch's CPU kernels round differently for
/// very small batches, while from that size on each row's result is the same as in the naive path's 1000-sample chunks.
/// </summary>
public sealed class TorchSubsetEvaluation
{
    /// <summary>Smallest batch evaluated (rows are repeated to reach it).</summary>
    public const int MinimumRows = 64;

    private readonly nn.Module<Tensor, Tensor> model;
    private readonly IReadOnlyList<Tensor> tensors;
    private readonly Tensor images, labels;
    private readonly int chunk;

    /// <summary>Evaluates <paramref name="model"/> on (<paramref name="images"/>, <paramref name="labels"/>) in chunks of <paramref name="chunk"/>.</summary>
    public TorchSubsetEvaluation(nn.Module<Tensor, Tensor> model, IReadOnlyList<Tensor> tensors, Tensor images, Tensor labels, int chunk)
    {
        (this.model, this.tensors, this.images, this.labels, this.chunk) = (model, tensors, images, labels, chunk);
    }

    /// <summary>Correct predictions among <paramref name="samples"/> (all samples when null) with <paramref name="change"/> applied.</summary>
    public long CountCorrect(ParameterChange change, IReadOnlyList<int>? samples)
    {
        model.eval();
        using var noGrad = no_grad();
        var flat = tensors[change.Tensor].view(-1);
        float old = flat[change.Index].item<float>();
        flat[change.Index] = change.NewValue;
        try
        {
            return samples is null ? Evaluator.CountCorrect(model, images, labels, chunk) : CountSubset(samples);
        }
        finally
        {
            flat[change.Index] = old;
        }
    }

    private long CountSubset(IReadOnlyList<int> samples)
    {
        long correct = 0;
        for (int start = 0; start < samples.Count; start += chunk)
        {
            using var scope = NewDisposeScope();
            int len = Math.Min(chunk, samples.Count - start);
            var rows = new long[Math.Max(len, Math.Min(MinimumRows, images.shape[0]))];
            for (int r = 0; r < rows.Length; r++) rows[r] = samples[start + r % len];
            var index = tensor(rows, ScalarType.Int64);
            var predicted = Evaluator.Predict(model.forward(images.index_select(0, index)));
            correct += predicted.narrow(0, 0, len).eq(labels.index_select(0, index).narrow(0, 0, len)).sum().item<long>();
        }
        return correct;
    }
}
