using FlipGuard.Hessian;
using static TorchSharp.torch;

namespace FlipGuard.Tests.Hessian;

public class LossLandscapeTests
{
    [Fact]
    public void CurvatureAlongTheTopEigenvectorIsTheTopEigenvalueAndWeightsAreRestored()
    {
        using var scope = NewDisposeScope();
        var (model, hessian) = TinyProblem.Create();
        var before = model.parameters().Select(p => p.detach().clone()).ToArray();
        var top = TopEigenvalues.ByLanczos(hessian, 2, seed: 1);
        const double h = 1e-3;
        var result = LossLandscape.Compute(hessian, top, radius: h, points: 3);
        Assert.Equal(hessian.Loss(), result.Loss1D[1], 12);
        double secondDifference = (result.Loss1D[0] - 2 * result.Loss1D[1] + result.Loss1D[2]) / (h * h);
        Assert.True(Math.Abs(secondDifference - top.Values[0]) <= 1e-3 * Math.Abs(top.Values[0]), $"{secondDifference} vs λ₁ {top.Values[0]}");
        Assert.NotNull(result.Loss2D);
        Assert.Equal(result.Loss1D[1], result.Loss2D![1, 1], 12);
        foreach (var (p, b) in model.parameters().Zip(before)) Assert.True(p.equal(b).all().item<bool>());
    }
}
