using FlipGuard.Core;
using static TorchSharp.torch;

namespace FlipGuard.Tests.Runtime;

public class DoubleBackpropTests
{
    [Fact]
    public void GradientOfGradientVectorProductMatchesAnalyticHessian()
    {
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        // f(x) = sum(x^3) / 3 + x0*x1 has Hessian diag(2x) + [[0,1],[1,0]] on the first two coordinates.
        var x = tensor(new double[] { 1.5, -2.0, 0.5 }, requires_grad: true);
        var f = (x.pow(3).sum() / 3) + x[0] * x[1];
        var g = autograd.grad(new[] { f }, new[] { x }, create_graph: true)[0];
        var v = tensor(new double[] { 1.0, 2.0, -1.0 });
        var hv = autograd.grad(new[] { (g * v).sum() }, new[] { x })[0];
        double[] expected = { 2 * 1.5 * 1.0 + 2.0, 1.0 + 2 * -2.0 * 2.0, 2 * 0.5 * -1.0 };
        double[] actual = hv.data<double>().ToArray();
        for (int i = 0; i < 3; i++) Assert.Equal(expected[i], actual[i], 12);
    }
}
