using FlipGuard.Core;
using static TorchSharp.torch;

namespace FlipGuard.Hessian;

/// <summary>
/// The Hessian's eigenvalue density by stochastic Lanczos quadrature: each run from a random unit vector gives
/// Ritz values (nodes) and squared first components of T's eigenvectors (weights); the density is their
/// Gaussian-smoothed average over runs. Shows whether curvature is a few outliers or a broad bulk.
/// </summary>
public static class SpectralDensity
{
    /// <summary>Estimates the density on <paramref name="gridPoints"/> points spanning the nodes, smoothed with relative width <paramref name="sigma"/>.</summary>
    public static DensityEstimate Estimate(HessianOperator hessian, int runs = 4, int steps = 60, int gridPoints = 400, double sigma = 0.01, long seed = 0, CancellationToken cancellation = default)
    {
        if (runs < 1 || steps < 2 || gridPoints < 2) throw new FlipGuardException("density needs ≥ 1 run, ≥ 2 Lanczos steps and ≥ 2 grid points");
        using var generator = new Generator(unchecked((ulong)seed));
        var quadratures = new List<Quadrature>();
        for (int r = 0; r < runs; r++)
        {
            using var scope = NewDisposeScope();
            var run = Lanczos.Iterate(hessian, HessianOperator.Flatten(hessian.Rademacher(generator)), steps, cancellation);
            int m = run.RitzValues.Length;
            quadratures.Add(new Quadrature(run.RitzValues, Enumerable.Range(0, m).Select(c => run.RitzVectors[0, c] * run.RitzVectors[0, c]).ToArray()));
        }
        double lo = quadratures.Min(q => q.Nodes.Min()), hi = quadratures.Max(q => q.Nodes.Max());
        double width = Math.Max(hi - lo, 1e-12), pad = 0.05 * width, s = sigma * width;
        var grid = Enumerable.Range(0, gridPoints).Select(i => lo - pad + (width + 2 * pad) * i / (gridPoints - 1)).ToArray();
        var density = new double[gridPoints];
        foreach (var q in quadratures)
            for (int i = 0; i < q.Nodes.Length; i++)
                for (int g = 0; g < gridPoints; g++)
                {
                    double z = (grid[g] - q.Nodes[i]) / s;
                    density[g] += q.Weights[i] * Math.Exp(-0.5 * z * z) / (s * Math.Sqrt(2 * Math.PI)) / runs;
                }
        return new DensityEstimate(grid, density, quadratures);
    }
}

/// <summary>Nodes and weights of one Lanczos quadrature (weights sum to 1).</summary>
public sealed record Quadrature(double[] Nodes, double[] Weights);

/// <summary>A plot-ready eigenvalue density with the raw quadratures it was smoothed from.</summary>
public sealed record DensityEstimate(double[] Grid, double[] Density, IReadOnlyList<Quadrature> Runs);
