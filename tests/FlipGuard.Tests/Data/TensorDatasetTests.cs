using FlipGuard.Core;
using FlipGuard.Data;
using TorchSharp;

namespace FlipGuard.Tests.Data;

public class TensorDatasetTests
{
    [Fact]
    public void NormalisesPerChannel()
    {
        TorchRuntime.EnsureInitialized();
        RawImageSet set = SampleSets.Make(4, new ImageShape(3, 2, 2));
        using var data = new TensorDataset(set, Normalization.Cifar10);

        Assert.Equal(new long[] { 4, 3, 2, 2 }, data.Images.shape);
        Assert.Equal(torch.ScalarType.Float32, data.Images.dtype);
        Assert.Equal(torch.ScalarType.Int64, data.Labels.dtype);
        float[] actual = data.Images.data<float>().ToArray();
        for (int i = 0; i < set.Pixels.Length; i++)
        {
            int c = i / 4 % 3;
            float expected = (set.Pixels[i] / 255f - Normalization.Cifar10.Mean[c]) / Normalization.Cifar10.Std[c];
            Assert.Equal(expected, actual[i], 5);
        }
        Assert.Equal(set.Labels.Select(l => (long)l), data.Labels.data<long>().ToArray());
    }

    [Fact]
    public void MnistValuesAndLimit()
    {
        TorchRuntime.EnsureInitialized();
        var set = new RawImageSet(new ImageShape(1, 1, 2), [0, 255, 128, 1, 9, 9], [3, 4, 5], 10);
        using var data = new TensorDataset(set, Normalization.ForDataset("mnist"), limit: 2);
        Assert.Equal(2, data.Count);
        float[] v = data.Images.data<float>().ToArray();
        Assert.Equal(-0.1307f / 0.3081f, v[0], 5);
        Assert.Equal((1 - 0.1307f) / 0.3081f, v[1], 5);
        Assert.Equal(new long[] { 3, 4 }, data.Labels.data<long>().ToArray());
    }

    [Fact]
    public void RejectsStatisticsOfWrongLength()
    {
        Assert.Throws<ArgumentException>(() => new TensorDataset(SampleSets.Grey(2), Normalization.Cifar10));
        Assert.Throws<FlipGuardException>(() => Normalization.ForDataset("svhn"));
    }
}
