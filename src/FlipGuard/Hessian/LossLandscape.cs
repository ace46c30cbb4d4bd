using FlipGuard.Core;
using static TorchSharp.torch;

namespace FlipGuard.Hessian;

/// <summary>The loss along the top Hessian eigenvector (1-D) and over the plane of the top two (2-D).</summary>
/// <param name="Offsets">Step sizes α (and β) along the unit eigenvectors, in parameter-space distance.</param>
/// <param name="Loss1D">Loss at θ + α·u₁.</param>
/// <param name="Loss2D">Loss at θ + α·u₁ + β·u₂, indexed [β, α]; null when only one direction was given.</param>
/// <param name="Eigenvalues">The eigenvalues of the directions used.</param>
public sealed record LandscapeResult(double[] Offsets, double[] Loss1D, double[,]? Loss2D, double[] Eigenvalues);

/// <summary>
/// Walks the loss surface along Hessian eigenvectors: a sharp minimum rises fast along u₁, a flat one barely
/// moves. The weights are copied before and restored exactly after.
/// </summary>
public static class LossLandscape
{
    /// <summary>Evaluates the loss on a grid of <paramref name="points"/> offsets in [−radius, radius] per direction.</summary>
    public static LandscapeResult Compute(HessianOperator hessian, EigenEstimate directions, double radius, int points, IProgress<int>? progress = null, CancellationToken cancellation = default)
    {
        if (!(radius > 0)) throw new FlipGuardException($"--radius must be positive, got {radius}");
        if (points < 3) throw new FlipGuardException($"--points must be at least 3, got {points}");
        var offsets = Enumerable.Range(0, points).Select(i => -radius + 2 * radius * i / (points - 1)).ToArray();
        var parameters = hessian.Blocks.Select(b => b.Parameter).ToArray();
        var original = parameters.Select(p => p.detach().clone().DetachFromDisposeScope()).ToArray();
        var u1 = hessian.Unflatten(directions.Vectors[0]);
        var u2 = directions.Vectors.Count > 1 ? hessian.Unflatten(directions.Vectors[1]) : null;
        int done = 0;
        double LossAt(double a, double b)
        {
            cancellation.ThrowIfCancellationRequested();
            using (no_grad())
                for (int i = 0; i < parameters.Length; i++)
                {
                    parameters[i].copy_(original[i]).add_(u1[i], alpha: a);
                    if (u2 is not null && b != 0) parameters[i].add_(u2[i], alpha: b);
                }
            double loss = hessian.Loss();
            progress?.Report(++done);
            return loss;
        }
        try
        {
            var line = offsets.Select(a => LossAt(a, 0)).ToArray();
            double[,]? plane = null;
            if (u2 is not null)
            {
                plane = new double[points, points];
                for (int j = 0; j < points; j++)
                    for (int i = 0; i < points; i++) plane[j, i] = LossAt(offsets[i], offsets[j]);
            }
            return new LandscapeResult(offsets, line, plane, directions.Values.Take(u2 is null ? 1 : 2).ToArray());
        }
        finally
        {
            using (no_grad())
                for (int i = 0; i < parameters.Length; i++) parameters[i].copy_(original[i]);
            foreach (var o in original) o.Dispose();
        }
    }
}
