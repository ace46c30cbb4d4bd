using FlipGuard.Core;
using FlipGuard.Data;
using static TorchSharp.torch;

namespace FlipGuard.Tests.Data;

public class BatchLoaderTests
{
    private static TensorDataset Dataset(int count)
    {
        TorchRuntime.EnsureInitialized();
        // Label i % 10 and a first pixel equal to i identify every sample.
        var set = new RawImageSet(new ImageShape(1, 1, 1), [.. Enumerable.Range(0, count).Select(i => (byte)i)],
            [.. Enumerable.Range(0, count).Select(i => (byte)(i % 10))], 10);
        return new TensorDataset(set, Normalization.None(1));
    }

    private static List<long> Visit(BatchLoader loader, int epoch, List<int>? sizes = null)
    {
        var seen = new List<long>();
        foreach (long[] batch in loader.Batches(epoch))
        {
            using var scope = NewDisposeScope();
            var (images, labels) = loader.Load(batch);
            sizes?.Add((int)images.shape[0]);
            Assert.Equal(images.shape[0], labels.shape[0]);
            seen.AddRange(images.flatten().mul(255).round().to_type(ScalarType.Int64).data<long>().ToArray());
        }
        return seen;
    }

    [Fact]
    public void SameSeedAndEpochGiveSameOrderOtherEpochsDiffer()
    {
        using TensorDataset data = Dataset(53);
        var a = new BatchLoader(data, 8, shuffle: true, seed: 11);
        var b = new BatchLoader(data, 8, shuffle: true, seed: 11);
        Assert.Equal(Visit(a, 3), Visit(b, 3));
        Assert.NotEqual(a.Order(3), a.Order(4));
        Assert.NotEqual(a.Order(3), new BatchLoader(data, 8, shuffle: true, seed: 12).Order(3));
    }

    [Fact]
    public void EveryEpochCoversEachSampleOnceKeepingThePartialBatch()
    {
        using TensorDataset data = Dataset(53);
        var loader = new BatchLoader(data, 8, shuffle: true, seed: 5);
        for (int epoch = 0; epoch < 3; epoch++)
        {
            var sizes = new List<int>();
            List<long> seen = Visit(loader, epoch, sizes);
            Assert.Equal(Enumerable.Range(0, 53).Select(i => (long)i), seen.Order());
            Assert.Equal(7, loader.BatchCount);
            Assert.Equal([8, 8, 8, 8, 8, 8, 5], sizes);
        }
    }

    [Fact]
    public void LabelsFollowTheirImages()
    {
        using TensorDataset data = Dataset(20);
        var loader = new BatchLoader(data, 6, shuffle: true, seed: 1);
        foreach (long[] batch in loader.Batches(0))
        {
            using var scope = NewDisposeScope();
            var (images, labels) = loader.Load(batch);
            long[] ids = images.flatten().mul(255).round().to_type(ScalarType.Int64).data<long>().ToArray();
            Assert.Equal(ids.Select(i => i % 10), labels.data<long>().ToArray());
        }
    }

    [Fact]
    public void BatchTensorsBelongToTheStepScope()
    {
        using TensorDataset data = Dataset(10);
        var loader = new BatchLoader(data, 4);
        Tensor kept;
        using (NewDisposeScope())
        {
            kept = loader.Load(loader.Batches(0).First()).Images;
            Assert.False(kept.IsInvalid);
        }
        Assert.True(kept.IsInvalid);
    }

    [Fact]
    public void WithoutShuffleOrderIsSequential()
    {
        using TensorDataset data = Dataset(10);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), Visit(new BatchLoader(data, 4), 9));
    }
}
