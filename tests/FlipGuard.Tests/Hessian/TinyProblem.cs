using FlipGuard.Hessian;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FlipGuard.Tests.Hessian;

/// <summary>A 134-parameter tanh network on random data, in float64, small enough for the exact Hessian.</summary>
internal sealed class TinyNet : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc1, fc2;

    public TinyNet() : base("tiny")
    {
        fc1 = nn.Linear(8, 10);
        fc2 = nn.Linear(10, 4);
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
        var x = randn(new long[] { samples, 8 }, dtype: ScalarType.Float64, generator: g).DetachFromDisposeScope();
        var y = randint(0, 4, new long[] { samples }, generator: g).DetachFromDisposeScope();
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
