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
    /// <summary>Batch sizes below <see cref="MinimumRows"/> checked to reproduce the naive chunks (<see cref="Calibrate"/>), ascending.</summary>
    private int[] smallBatches = [];

    /// <summary>Evaluates <paramref name="model"/> on (<paramref name="images"/>, <paramref name="labels"/>) in chunks of <paramref name="chunk"/>.</summary>
    public TorchSubsetEvaluation(nn.Module<Tensor, Tensor> model, IReadOnlyList<Tensor> tensors, Tensor images, Tensor labels, int chunk)
    {
        (this.model, this.tensors, this.images, this.labels, this.chunk) = (model, tensors, images, labels, chunk);
    }

    /// <summary>Batch sizes below <see cref="MinimumRows"/> usable for small subsets (<see cref="Calibrate"/>).</summary>
    public IReadOnlyList<int> SmallBatches => smallBatches;

    /// <summary>
    /// Looks for a batch smaller than <see cref="MinimumRows"/> at which torch's forward reproduces
    /// <paramref name="referenceLogits"/> (the model's clean logits from the naive path's chunks) bit for bit on every
    /// evaluation sample. libtorch picks its kernels by shape, not by values, so a batch size that reproduces every clean
    /// row computes each row as the naive chunks do for a changed weight too; small subsets are then evaluated in
    /// batches of exactly such sizes (32 rows instead of a padded 64 for the typical 20 undecided samples, 8 for 5).
    /// Sizes that do not reproduce every sample are not used.
    /// </summary>
    public void Calibrate(ReadOnlySpan<float> referenceLogits)
    {
        long n = images.shape[0];
        var verified = new List<int>();
        foreach (int rows in new[] { 8, 16, 32 })
            if (n >= 2 * rows && Reproduces(rows, Math.Min(n, 256), referenceLogits) && Reproduces(rows, n, referenceLogits)) verified.Add(rows);
        smallBatches = verified.ToArray();
    }

    private bool Reproduces(int rows, long count, ReadOnlySpan<float> reference)
    {
        model.eval();
        using var noGrad = no_grad();
        int classes = (int)(reference.Length / images.shape[0]);
        for (long start = 0; start < count; start += rows)
        {
            using var scope = NewDisposeScope();
            long first = Math.Min(start, images.shape[0] - rows); // the last batch overlaps the one before: always exactly `rows`
            var logits = model.forward(images.narrow(0, first, rows)).contiguous().data<float>().ToArray();
            for (int i = 0; i < logits.Length; i++)
                if (BitConverter.SingleToInt32Bits(logits[i]) != BitConverter.SingleToInt32Bits(reference[(int)(first * classes) + i])) return false;
        }
        return true;
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
        for (int start = 0, len; start < samples.Count; start += len)
        {
            using var scope = NewDisposeScope();
            int remaining = samples.Count - start;
            // Below MinimumRows: the smallest calibrated size that holds the rest, else the largest one and go on;
            // rows are repeated to fill a batch.
            int batch = remaining >= MinimumRows || smallBatches.Length == 0 ? 0 : smallBatches.FirstOrDefault(b => b >= remaining, smallBatches[^1]);
            len = batch > 0 ? Math.Min(batch, remaining) : Math.Min(chunk, remaining);
            var rows = new long[batch > 0 ? batch : Math.Max(len, Math.Min(MinimumRows, images.shape[0]))];
            for (int r = 0; r < rows.Length; r++) rows[r] = samples[start + r % len];
            var index = tensor(rows, ScalarType.Int64);
            var predicted = Evaluator.Predict(model.forward(images.index_select(0, index)));
            correct += predicted.narrow(0, 0, len).eq(labels.index_select(0, index).narrow(0, 0, len)).sum().item<long>();
        }
        return correct;
    }
}
