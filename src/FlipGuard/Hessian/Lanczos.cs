using static TorchSharp.torch;

namespace FlipGuard.Hessian;

/// <summary>
/// The Lanczos process with full re-orthogonalisation: builds an orthonormal Krylov basis Q and the symmetric
/// tridiagonal T = QᵀHQ. Its extreme Ritz values converge to H's extreme eigenvalues, and its first-component
/// weights give the spectral-density quadrature. The basis is kept in float64 so orthogonality survives many steps.
/// </summary>
public static class Lanczos
{
    /// <summary>One Lanczos run: tridiagonal coefficients, basis, and the eigen-decomposition of T.</summary>
    public sealed record Run(double[] Alpha, double[] Beta, Tensor Basis, double[] RitzValues, double[,] RitzVectors);

    /// <summary>
    /// Runs up to <paramref name="steps"/> steps from the unit vector <paramref name="start"/> (flat, any dtype);
    /// stops early when the Krylov space is exhausted.
    /// </summary>
    public static Run Iterate(HessianOperator hessian, Tensor start, int steps, CancellationToken cancellation = default)
    {
        int m = (int)Math.Min(steps, hessian.Dimension);
        var dtype = hessian.Blocks[0].Parameter.dtype;
        var basis = zeros(m, hessian.Dimension, dtype: ScalarType.Float64);
        var alpha = new List<double>();
        var beta = new List<double>();
        using (no_grad()) basis[0] = start.to_type(ScalarType.Float64) / start.to_type(ScalarType.Float64).norm();
        for (int j = 0; j < m; j++)
        {
            cancellation.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var q = basis[j];
            var w = hessian.ApplyFlat(q.to_type(dtype)).to_type(ScalarType.Float64);
            double a = w.dot(q).item<double>();
            alpha.Add(a);
            if (j == m - 1) break;
            var active = basis.narrow(0, 0, j + 1);
            for (int pass = 0; pass < 2; pass++) w = w - active.t().mv(active.mv(w));
            double b = w.norm().item<double>();
            if (b < 1e-10 * Math.Max(1, Math.Abs(a))) break;
            beta.Add(b);
            using (no_grad()) basis[j + 1] = w / b;
        }
        int k = alpha.Count;
        var t = new double[k, k];
        for (int i = 0; i < k; i++)
        {
            t[i, i] = alpha[i];
            if (i + 1 < k) t[i, i + 1] = t[i + 1, i] = beta[i];
        }
        var (values, vectors) = SymmetricEigen.Decompose(t);
        var used = basis.narrow(0, 0, k);
        return new Run(alpha.ToArray(), beta.Take(k - 1).ToArray(), used, values, vectors);
    }
}
