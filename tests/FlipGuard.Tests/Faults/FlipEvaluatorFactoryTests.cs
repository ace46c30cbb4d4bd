using FlipGuard.Faults.Evaluation;
using FlipGuard.Faults.Targets;
using FlipGuard.Models.Zoo;
using static TorchSharp.torch;

namespace FlipGuard.Tests.Faults;

public class FlipEvaluatorFactoryTests
{
    [Fact]
    public void FastPathCachesGrowLinearlyWithTheEvaluationSet()
    {
        foreach (var (name, c, h, w) in new[] { ("mlp", 1, 28, 28), ("lenet5", 1, 28, 28), ("vgg-small", 3, 32, 32), ("resnet20", 3, 32, 32) })
        {
            using var model = ModelZoo.Create(name, c, h, w, 10, seed: 1);
            long one = FlipEvaluatorFactory.FastPathBytes(model, 1);
            Assert.True(one > 1000, $"{name}: {one} bytes per sample is too small to be a real estimate");
            Assert.Equal(one * 10_000, FlipEvaluatorFactory.FastPathBytes(model, 10_000));
        }
    }

    [Fact]
    public void AnEvaluationSetTooLargeForTheFastCachesTakesTheNaivePath()
    {
        using var model = ModelZoo.Create("mlp", 1, 28, 28, 10, seed: 1);
        long perSample = FlipEvaluatorFactory.FastPathBytes(model, 1);
        int samples = (int)(FlipEvaluatorFactory.MemoryBudgetBytes / perSample) + 1;
        using var images = zeros(samples, 1, 28, 28);
        using var labels = zeros(new long[] { samples }, ScalarType.Int64);
        var (evaluator, name) = FlipEvaluatorFactory.Create(FlipTarget.Create(model), images, labels, naive: false);
        using (evaluator)
        {
            Assert.Equal("naive", name);
            Assert.IsType<NaiveFlipEvaluator>(evaluator);
        }
        using var few = images.narrow(0, 0, 500);
        var (fast, fastName) = FlipEvaluatorFactory.Create(FlipTarget.Create(model), few, labels.narrow(0, 0, 500), naive: false);
        using (fast) Assert.Equal("fast-linear", fastName);
    }
}
