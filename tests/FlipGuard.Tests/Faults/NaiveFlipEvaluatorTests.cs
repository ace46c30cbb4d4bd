using FlipGuard.Faults.Encodings;
using FlipGuard.Faults.Evaluation;
using FlipGuard.Faults.Targets;
using FlipGuard.Models;
using static TorchSharp.torch;

namespace FlipGuard.Tests.Faults;

public class NaiveFlipEvaluatorTests
{
    [Fact]
    public void AnUntouchedChangeGivesTheCleanCount()
    {
        var (model, x, y) = TinyClassifier.Create();
        var target = FlipTarget.Create(model);
        using var ev = new NaiveFlipEvaluator(target, x, y);
        Assert.Equal(64, ev.Samples);
        Assert.Equal(Evaluator.CountCorrect(model, x, y), ev.CleanCorrect);
        float old = target.Tensors[0].ReadValues()[5];
        var counts = new long[1];
        ev.Evaluate([new ParameterChange(0, 5, old)], counts);
        Assert.Equal(ev.CleanCorrect, counts[0]);
    }

    [Fact]
    public void AChangeMatchesAManualCopyFlipForwardAndIsUndone()
    {
        var (model, x, y) = TinyClassifier.Create();
        var target = FlipTarget.Create(model);
        using var ev = new NaiveFlipEvaluator(target, x, y, chunk: 16);
        float[][] before = target.Tensors.Select(t => t.ReadValues()).ToArray();
        var changes = new[]
        {
            new ParameterChange(0, 3, Float32Bits.Flip(before[0][3], 30)),
            new ParameterChange(2, 7, Float32Bits.Flip(before[2][7], 31)),
            new ParameterChange(3, 1, float.NaN),
            new ParameterChange(1, 0, Float32Bits.Flip(before[1][0], 30)),
        };
        var counts = new long[changes.Length];
        ev.Evaluate(changes, counts);
        for (int i = 0; i < changes.Length; i++)
        {
            var (copy, _, _) = TinyClassifier.Create();
            var p = copy.parameters().ElementAt(changes[i].Tensor);
            using (no_grad()) p.view(-1)[changes[i].Index] = tensor(changes[i].NewValue);
            Assert.Equal(Evaluator.CountCorrect(copy, x, y, 16), counts[i]);
        }
        for (int t = 0; t < before.Length; t++)
            Assert.Equal(before[t].Select(BitConverter.SingleToInt32Bits), target.Tensors[t].ReadValues().Select(BitConverter.SingleToInt32Bits));
        Assert.Contains(counts, c => c != ev.CleanCorrect);
    }
}
