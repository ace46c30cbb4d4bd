using FlipGuard.Hessian;
using FlipGuard.Tests.Hessian;
using FlipGuard.Training.Objectives;
using static TorchSharp.torch;

namespace FlipGuard.Tests.Training;

public class ObjectiveTests
{
    private static Tensor[] Gradients(nn.Module<Tensor, Tensor> model, IStepObjective objective, Tensor x, Tensor y, long step, out StepValues values)
    {
        foreach (var p in model.parameters()) p.grad?.zero_();
        values = objective.Backward(model, x, y, step);
        return model.parameters().Select(p => p.grad!.clone()).ToArray();
    }

    [Fact]
    public void TracePenaltyGradientMatchesFiniteDifferencesOfThePenalty()
    {
        using var scope = NewDisposeScope();
        var (model, hessian, x, y) = TinyProblem.CreateWithData();
        var objective = new HessianTraceObjective(1.0, probes: 3, LayerSelection.All, every: 1, seed: 2);
        var withPenalty = Gradients(model, objective, x, y, step: 4, out var values);
        var plain = Gradients(model, new CrossEntropyObjective(), x, y, 4, out _);
        var penaltyGrad = HessianOperator.Flatten(withPenalty.Zip(plain, (a, b) => a - b).ToArray());

        using var g = new Generator(3);
        var u = randn(new long[] { hessian.Dimension }, dtype: ScalarType.Float64, generator: g);
        const double eps = 1e-5;
        double PenaltyAt(double sign)
        {
            var parts = hessian.Unflatten(u);
            using (no_grad()) foreach (var (p, d) in hessian.Blocks.Select(b => b.Parameter).Zip(parts)) p.add_(d, alpha: sign * eps);
            Gradients(model, objective, x, y, 4, out var v);
            using (no_grad()) foreach (var (p, d) in hessian.Blocks.Select(b => b.Parameter).Zip(parts)) p.add_(d, alpha: -sign * eps);
            return v.Regularizer!.Value;
        }
        double fd = (PenaltyAt(1) - PenaltyAt(-1)) / (2 * eps);
        double analytic = penaltyGrad.dot(u).item<double>();
        Assert.True(Math.Abs(fd - analytic) <= 1e-4 * Math.Max(1, Math.Abs(fd)), $"finite difference {fd} vs autograd {analytic}");
        Assert.NotNull(values.Regularizer);
    }

    [Trait("Category", TestCategories.Slow)]
    [Fact]
    public void TracePenaltyWithManyProbesEstimatesTheExactTrace()
    {
        using var scope = NewDisposeScope();
        var (model, hessian, x, y) = TinyProblem.CreateWithData();
        var h = ExactHessian.Compute(hessian);
        double trace = Enumerable.Range(0, h.GetLength(0)).Sum(i => h[i, i]);
        // Model is in training mode here, but TinyNet has no batch norm or dropout, so the Hessians agree.
        Gradients(model, new HessianTraceObjective(1.0, 2000, LayerSelection.All, 1, 1), x, y, 0, out var values);
        Assert.True(Math.Abs(values.Regularizer!.Value - trace) <= 0.03 * Math.Abs(trace), $"{values.Regularizer} vs {trace}");
    }

    [Fact]
    public void RegEverySkipsThePenaltyBetweenRegularisedSteps()
    {
        using var scope = NewDisposeScope();
        var (model, _, x, y) = TinyProblem.CreateWithData();
        var objective = new HessianTraceObjective(0.5, 1, LayerSelection.All, every: 3, seed: 1);
        Gradients(model, objective, x, y, 3, out var on);
        Gradients(model, objective, x, y, 4, out var off);
        Assert.NotNull(on.Regularizer);
        Assert.Null(off.Regularizer);
    }

    [Fact]
    public void TopEigenvaluePenaltyConvergesToTheTopEigenvaluesAtAFixedPoint()
    {
        using var scope = NewDisposeScope();
        var (model, hessian, x, y) = TinyProblem.CreateWithData();
        var (values, _) = SymmetricEigen.Decompose(ExactHessian.Compute(hessian));
        double top2 = values[^1] + values[^2];
        var objective = new TopEigenvalueObjective(1.0, 2, LayerSelection.All, 1, seed: 3);
        StepValues last = default;
        for (int step = 0; step < 300; step++) Gradients(model, objective, x, y, step, out last);
        Assert.True(Math.Abs(last.Regularizer!.Value - top2) <= 1e-3 * Math.Abs(top2), $"{last.Regularizer} vs {top2}");
    }

    [Fact]
    public void SamRestoresTheWeightsAndReturnsTheGradientAtThePerturbedPoint()
    {
        using var scope = NewDisposeScope();
        var (model, _, x, y) = TinyProblem.CreateWithData();
        var before = model.parameters().Select(p => p.detach().clone()).ToArray();
        const double rho = 0.1;
        var plain = Gradients(model, new CrossEntropyObjective(), x, y, 0, out _);
        double norm = Math.Sqrt(plain.Sum(g => g.pow(2).sum().item<double>()));
        var sam = Gradients(model, new SharpnessAwareObjective(rho), x, y, 0, out var values);
        foreach (var (p, b) in model.parameters().Zip(before)) Assert.True(p.equal(b).all().item<bool>());
        Assert.True(values.Regularizer > 0, "the loss should rise at the worst point of the ball");

        using (no_grad()) foreach (var (p, g) in model.parameters().Zip(plain)) p.add_(g, alpha: rho / norm);
        var atPerturbed = Gradients(model, new CrossEntropyObjective(), x, y, 0, out _);
        foreach (var (a, b) in sam.Zip(atPerturbed)) Assert.True(a.allclose(b, rtol: 1e-9, atol: 1e-12));
    }
}
