using FlipGuard.Hessian;
using static TorchSharp.torch;

namespace FlipGuard.Tests.Hessian;

public class HessianOracleTests
{
    private static double RelativeError(double[] a, double[] b) =>
        Math.Sqrt(a.Zip(b, (x, y) => (x - y) * (x - y)).Sum()) / Math.Sqrt(b.Sum(y => y * y));

    [Fact]
    public void ExactHessianIsSymmetricAndMatchesFiniteDifferencesOfTheGradient()
    {
        using var scope = NewDisposeScope();
        var (_, hessian) = TinyProblem.Create();
        Assert.InRange(hessian.Dimension, 100, 300);
        var h = ExactHessian.Compute(hessian);
        int d = (int)hessian.Dimension;
        double asym = 0, norm = 0;
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++) { asym = Math.Max(asym, Math.Abs(h[i, j] - h[j, i])); norm = Math.Max(norm, Math.Abs(h[i, j])); }
        Assert.True(asym <= 1e-10 * norm, $"asymmetry {asym} vs scale {norm}");

        // Independent oracle: central differences of the gradient along v.
        using var g = new Generator(9);
        var v = randn(new long[] { d }, dtype: ScalarType.Float64, generator: g);
        const double eps = 1e-5;
        var parameters = hessian.Blocks.Select(b => b.Parameter).ToArray();
        Tensor GradientAt(double sign)
        {
            using (no_grad()) foreach (var (p, vi) in parameters.Zip(hessian.Unflatten(v))) p.add_(vi, alpha: sign * eps);
            var grad = HessianOperator.Flatten(hessian.LossAndGradient().Gradient);
            using (no_grad()) foreach (var (p, vi) in parameters.Zip(hessian.Unflatten(v))) p.add_(vi, alpha: -sign * eps);
            return grad;
        }
        var fd = ((GradientAt(1) - GradientAt(-1)) / (2 * eps)).data<double>().ToArray();
        var product = hessian.ApplyFlat(v).data<double>().ToArray();
        var exact = TinyProblem.MatVec(h, v.data<double>().ToArray());
        Assert.True(RelativeError(product, exact) <= 1e-4, $"Hv vs exact H·v: {RelativeError(product, exact)}");
        Assert.True(RelativeError(product, fd) <= 1e-4, $"Hv vs finite differences: {RelativeError(product, fd)}");
    }

    [Trait("Category", TestCategories.Slow)]
    [Fact]
    public void HutchinsonTraceIsWithinThreeStandardErrorsAndTwoPercentWithManyProbes()
    {
        using var scope = NewDisposeScope();
        var (_, hessian) = TinyProblem.Create();
        var h = ExactHessian.Compute(hessian);
        double trace = Enumerable.Range(0, h.GetLength(0)).Sum(i => h[i, i]);

        var few = HutchinsonTrace.Estimate(hessian, new HutchinsonOptions(MaxProbes: 50, MinProbes: 50, Seed: 1));
        Assert.Equal(50, few.Samples.Count);
        Assert.True(Math.Abs(few.Mean - trace) <= 3 * few.StandardError, $"{few.Mean} ± {few.StandardError} vs {trace}");
        Assert.Equal(few.Mean, few.Layers.Sum(l => l.Mean), 8);
        Assert.Equal(few.Mean, few.Samples.Average(), 10);

        var many = HutchinsonTrace.Estimate(hessian, new HutchinsonOptions(MaxProbes: 3000, MinProbes: 3000, Seed: 2));
        Assert.True(Math.Abs(many.Mean - trace) <= 0.02 * Math.Abs(trace), $"{many.Mean} vs {trace}");
        Assert.True(Math.Abs(many.Mean - trace) <= 3 * many.StandardError);
    }

    [Fact]
    public void StoppingRuleStopsEarlyAndIsReproducible()
    {
        using var scope = NewDisposeScope();
        var (_, hessian) = TinyProblem.Create();
        var a = HutchinsonTrace.Estimate(hessian, new HutchinsonOptions(MaxProbes: 5000, MinProbes: 8, RelativeTolerance: 0.05, Seed: 3));
        var b = HutchinsonTrace.Estimate(hessian, new HutchinsonOptions(MaxProbes: 5000, MinProbes: 8, RelativeTolerance: 0.05, Seed: 3));
        Assert.True(a.Converged);
        Assert.True(a.Probes < 5000);
        Assert.True(a.StandardError <= 0.05 * a.Samples.Average(Math.Abs) + 1e-12);
        Assert.Equal(a.Samples, b.Samples);
    }

    [Fact]
    public void LanczosAndPowerIterationFindTheTopEigenvalues()
    {
        using var scope = NewDisposeScope();
        var (_, hessian) = TinyProblem.Create();
        var (values, _) = SymmetricEigen.Decompose(ExactHessian.Compute(hessian));
        var top = values.Reverse().Take(3).ToArray();

        var lanczos = TopEigenvalues.ByLanczos(hessian, 3, seed: 4);
        for (int i = 0; i < 3; i++)
            Assert.True(Math.Abs(lanczos.Values[i] - top[i]) <= 1e-3 * Math.Abs(top[i]), $"λ{i + 1}: lanczos {lanczos.Values[i]} vs {top[i]}");
        // Eigenvectors: H u ≈ λ u.
        var hu = hessian.ApplyFlat(lanczos.Vectors[0]);
        Assert.True((hu - lanczos.Vectors[0] * lanczos.Values[0]).norm().item<double>() <= 1e-2 * Math.Abs(top[0]));

        Assert.True(Math.Abs(top[0]) >= Math.Abs(values[0]), "the tiny problem's largest-magnitude eigenvalue should be its largest");
        var power = TopEigenvalues.ByPowerIteration(hessian, 1, maxIterations: 1000, tolerance: 1e-8, seed: 4);
        Assert.True(Math.Abs(power.Values[0] - top[0]) <= 1e-3 * Math.Abs(top[0]), $"power {power.Values[0]} vs {top[0]}");
    }

    [Trait("Category", TestCategories.Slow)]
    [Fact]
    public void DiagonalEstimateApproachesTheExactDiagonal()
    {
        using var scope = NewDisposeScope();
        var (_, hessian) = TinyProblem.Create();
        var h = ExactHessian.Compute(hessian);
        var exact = Enumerable.Range(0, h.GetLength(0)).Select(i => h[i, i]).ToArray();
        var estimate = HessianOperator.Flatten(HessianDiagonal.Estimate(hessian, 2000, seed: 6)).data<double>().ToArray();
        Assert.True(RelativeError(estimate, exact) <= 0.1, $"relative error {RelativeError(estimate, exact)}");
    }

    [Fact]
    public void DensityWeightsSumToOneAndCoverTheSpectrum()
    {
        using var scope = NewDisposeScope();
        var (_, hessian) = TinyProblem.Create();
        var (values, _) = SymmetricEigen.Decompose(ExactHessian.Compute(hessian));
        var density = SpectralDensity.Estimate(hessian, runs: 3, steps: 40, seed: 7);
        foreach (var q in density.Runs) Assert.Equal(1.0, q.Weights.Sum(), 6);
        double step = density.Grid[1] - density.Grid[0];
        Assert.Equal(1.0, density.Density.Sum() * step, 1);
        Assert.True(density.Grid[^1] >= values[^1] * 0.999 && density.Grid[0] <= values[0] + 1e-6 * Math.Abs(values[^1]));
    }

    [Fact]
    public void SymmetricEigenRecoversAKnownSpectrum()
    {
        // A = Q diag(5, 2, -1, 0.5) Qᵀ with Q a rotation.
        double c = Math.Cos(0.3), s = Math.Sin(0.3), c2 = Math.Cos(1.1), s2 = Math.Sin(1.1);
        double[,] q = { { c, -s, 0, 0 }, { s, c, 0, 0 }, { 0, 0, c2, -s2 }, { 0, 0, s2, c2 } };
        double[] d = { 5, 2, -1, 0.5 };
        var a = new double[4, 4];
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
                for (int k = 0; k < 4; k++) a[i, j] += q[i, k] * d[k] * q[j, k];
        var (values, _) = SymmetricEigen.Decompose(a);
        Assert.Equal(new[] { -1, 0.5, 2, 5 }, values.Select(v => Math.Round(v, 10)));
    }
}
