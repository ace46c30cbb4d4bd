using FlipGuard.Faults.Encodings;
using FlipGuard.Faults.Targets;
using FlipGuard.Tests.Faults;
using static TorchSharp.torch;

namespace FlipGuard.Tests.Defenses;

/// <summary>The tiny 8-6-4 classifier as a flip target (float32, or int8 weights) with its evaluation data.</summary>
internal static class DefenseCases
{
    public static (FlipTarget Target, Tensor Images, Tensor Labels) Tiny(bool int8, long seed = 3)
    {
        var (model, x, y) = TinyClassifier.Create(seed);
        return (FlipTarget.Create(model, WeightEncodings.FromInt8Flag(int8)), x, y);
    }

    public static Tensor Predictions(FlipTarget target, Tensor images)
    {
        using (no_grad()) return target.Model.forward(images).argmax(1);
    }

    public static IEnumerable<(int Tensor, long Index)> Entries(FlipTarget target)
    {
        for (int t = 0; t < target.Tensors.Count; t++)
            for (long i = 0; i < target.Tensors[t].Length; i++) yield return (t, i);
    }
}
