using FlipGuard.Core;
using static TorchSharp.torch;

namespace FlipGuard.Data;

/// <summary>
/// Cuts a <see cref="TensorDataset"/> into mini-batches, optionally in a shuffled order that is a pure function of
/// (seed, epoch) so any training run, and any single epoch of it, can be replayed exactly.
/// </summary>
/// <remarks>
/// Each batch's tensors are created by <see cref="Load"/> in the caller's current dispose scope and are not freed by
/// the loader: wrap every step in <c>using var scope = torch.NewDisposeScope();</c> so memory is returned as soon as
/// the step is done. The last, possibly smaller, batch is kept.
/// </remarks>
public sealed class BatchLoader
{
    private readonly Tensor images, labels;
    private readonly int count;

    /// <summary>Samples per batch (the last may have fewer).</summary>
    public int BatchSize { get; }

    /// <summary>Whether each epoch visits samples in a seeded random order rather than 0..N-1.</summary>
    public bool Shuffle { get; }

    /// <summary>Seed of the shuffled orders; together with the epoch it fixes the order.</summary>
    public ulong Seed { get; }

    /// <summary>Batches per epoch, counting the partial last one.</summary>
    public int BatchCount => (count + BatchSize - 1) / BatchSize;

    /// <summary>Creates a loader over <paramref name="data"/>; the dataset stays owned by the caller.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is not positive.</exception>
    public BatchLoader(TensorDataset data, int batchSize, bool shuffle = false, ulong seed = 0)
        : this(data.Images, data.Labels, batchSize, shuffle, seed)
    {
    }

    /// <summary>Creates a loader over images [N,…] and labels [N]; the tensors stay owned by the caller.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is not positive.</exception>
    /// <exception cref="ArgumentException">Images and labels disagree on N.</exception>
    public BatchLoader(Tensor images, Tensor labels, int batchSize, bool shuffle = false, ulong seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (images.shape[0] != labels.shape[0]) throw new ArgumentException($"{images.shape[0]} images but {labels.shape[0]} labels");
        this.images = images;
        this.labels = labels;
        count = checked((int)images.shape[0]);
        BatchSize = batchSize;
        Shuffle = shuffle;
        Seed = seed;
    }

    /// <summary>
    /// The sample order of <paramref name="epoch"/>: identity without shuffling, else a permutation drawn with
    /// <see cref="SplitMix64.ForStream"/>(seed, epoch), independent of the runtime and of torch's generator.
    /// </summary>
    public long[] Order(int epoch)
    {
        var order = new long[count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        if (Shuffle) SplitMix64.ForStream(Seed, (ulong)epoch).Shuffle(order.AsSpan());
        return order;
    }

    /// <summary>The sample indices of each batch of <paramref name="epoch"/>, in order; pass each to <see cref="Load"/>.</summary>
    /// <remarks>
    /// Indices rather than tensors are enumerated so that tensors are made inside the step's own dispose scope:
    /// a tensor yielded by an enumerator is created before the loop body runs, outside any scope the body opens.
    /// </remarks>
    public IEnumerable<long[]> Batches(int epoch)
    {
        long[] order = Order(epoch);
        for (int start = 0; start < order.Length; start += BatchSize)
            yield return order.AsSpan(start, Math.Min(BatchSize, order.Length - start)).ToArray();
    }

    /// <summary>
    /// Gathers the samples at <paramref name="indices"/> as (images [B,C,H,W], labels [B]); the tensors (copies made by
    /// <c>index_select</c>) belong to the caller's current dispose scope.
    /// </summary>
    /// <example><code>
    /// foreach (long[] batch in loader.Batches(epoch))
    /// {
    ///     using var scope = torch.NewDisposeScope();
    ///     var (images, labels) = loader.Load(batch);
    ///     // forward, backward, step
    /// }
    /// </code></example>
    public (Tensor Images, Tensor Labels) Load(long[] indices)
    {
        using Tensor index = tensor(indices, [indices.Length], ScalarType.Int64, device: images.device);
        return (images.index_select(0, index), labels.index_select(0, index));
    }
}
