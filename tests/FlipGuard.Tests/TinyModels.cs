using FlipGuard.Hessian;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FlipGuard.Tests;

// The two tiny networks the unit tests share (before: Faults/TinyClassifier.cs and Hessian/TinyProblem.cs). Both take 8 random
// features to 4 classes and are built the same way: weights from one seed (SeededConstruction), inputs drawn from a generator
// seeded with the same number.

/// <summary>A float32 8-6-4 network whose labels are mostly its own predictions, so clean accuracy is high and flips can hurt.</summary>
internal sealed class TinyClassifier : nn.Module<Tensor, Tensor>
{
    private readonly Linear l1, l2;

    public TinyClassifier() : base("tinyclf")
    {
        l1 = nn.Linear(TinyData.Features, 6);
        l2 = nn.Linear(6, TinyData.Classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => l2.forward(nn.functional.relu(l1.forward(x)));

    public static (TinyClassifier Model, Tensor Images, Tensor Labels) Create(long seed = 3, int samples = 64)
    {
        var model = SeededConstruction.Create(seed, () => new TinyClassifier());
        using var g = new Generator((ulong)seed);
        var x = TinyData.Inputs(samples, ScalarType.Float32, g);
        Tensor y;
        using (no_grad()) y = model.forward(x).argmax(1).DetachFromDisposeScope();
        // Make a few labels wrong so that some flips can also improve accuracy.
        y[0] = (y[0] + 1) % 4;
        y[1] = (y[1] + 2) % 4;
        return (model, x, y);
    }

    /// <summary>
    /// The attack tests' case: the seed-3 classifier with an attack pool of 200 inputs and a test set of 64, each drawn
    /// as <see cref="Create"/> draws them (the second call's copy of the model is dropped).
    /// </summary>
    public static (TinyClassifier Model, Tensor Pool, Tensor PoolLabels, Tensor Test, Tensor TestLabels) AttackCase()
    {
        var (model, pool, poolLabels) = Create(seed: 3, samples: 200);
        var (twin, test, testLabels) = Create(seed: 3, samples: 64);
        twin.Dispose();
        return (model, pool, poolLabels, test, testLabels);
    }
}

/// <summary>A 134-parameter tanh network on random data, in float64, small enough for the exact Hessian.</summary>
internal sealed class TinyNet : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc1, fc2;

    public TinyNet() : base("tiny")
    {
        fc1 = nn.Linear(TinyData.Features, 10);
        fc2 = nn.Linear(10, TinyData.Classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => fc2.forward(fc1.forward(x).tanh());
}

internal static class TinyProblem
{
    public static (TinyNet Model, HessianOperator Hessian) Create(long seed = 5, int samples = 64)
    {
        var (model, hessian, _, _) = CreateWithData(seed, samples);
        return (model, hessian);
    }

    public static (TinyNet Model, HessianOperator Hessian, Tensor Images, Tensor Labels) CreateWithData(long seed = 5, int samples = 64)
    {
        var model = SeededConstruction.Create(seed, () => new TinyNet());
        model.to(ScalarType.Float64);
        using var g = new Generator((ulong)seed);
        var x = TinyData.Inputs(samples, ScalarType.Float64, g);
        var y = randint(0, TinyData.Classes, new long[] { samples }, generator: g).DetachFromDisposeScope();
        var hessian = new HessianOperator(model, LayerSelection.All.Select(model), new[] { (x.narrow(0, 0, samples / 2), y.narrow(0, 0, samples / 2)), (x.narrow(0, samples / 2, samples - samples / 2), y.narrow(0, samples / 2, samples - samples / 2)) });
        return (model, hessian, x, y);
    }

    public static double[] MatVec(double[,] h, double[] v)
    {
        int n = v.Length;
        var r = new double[n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) r[i] += h[i, j] * v[j];
        return r;
    }
}

/// <summary>What the tiny networks read: <see cref="Features"/> standard-normal features per sample, <see cref="Classes"/> classes.</summary>
internal static class TinyData
{
    public const int Features = 8;
    public const int Classes = 4;

    public static Tensor Inputs(int samples, ScalarType dtype, Generator g) =>
        randn(new long[] { samples, Features }, dtype: dtype, generator: g).DetachFromDisposeScope();
}
