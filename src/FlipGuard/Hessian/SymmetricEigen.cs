namespace FlipGuard.Hessian;

/// <summary>
/// Eigen-decomposition of a small real symmetric matrix by cyclic Jacobi rotations. Symmetric by construction,
/// so eigenvalues are real and eigenvectors orthonormal — the reason Lanczos' tridiagonal matrix must be solved
/// with a symmetric solver (a general one can return spurious complex pairs and complex weights).
/// </summary>
public static class SymmetricEigen
{
    /// <summary>Eigenvalues in ascending order and the matching eigenvectors as columns.</summary>
    public static (double[] Values, double[,] Vectors) Decompose(double[,] matrix)
    {
        int n = matrix.GetLength(0);
        if (matrix.GetLength(1) != n) throw new ArgumentException("matrix must be square", nameof(matrix));
        var a = (double[,])matrix.Clone();
        var v = new double[n, n];
        for (int i = 0; i < n; i++) v[i, i] = 1;
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0, scale = 0;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                    if (i != j) off += a[i, j] * a[i, j]; else scale += a[i, i] * a[i, i];
            if (off <= 1e-30 * Math.Max(scale, 1e-300)) break;
            for (int p = 0; p < n - 1; p++)
                for (int q = p + 1; q < n; q++)
                    Rotate(a, v, p, q, n);
        }
        var order = Enumerable.Range(0, n).OrderBy(i => a[i, i]).ToArray();
        var values = order.Select(i => a[i, i]).ToArray();
        var vectors = new double[n, n];
        for (int c = 0; c < n; c++)
            for (int r = 0; r < n; r++) vectors[r, c] = v[r, order[c]];
        return (values, vectors);
    }

    private static void Rotate(double[,] a, double[,] v, int p, int q, int n)
    {
        double apq = a[p, q];
        if (apq == 0) return;
        double theta = (a[q, q] - a[p, p]) / (2 * apq);
        double t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
        double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
        for (int k = 0; k < n; k++)
        {
            double akp = a[k, p], akq = a[k, q];
            a[k, p] = c * akp - s * akq;
            a[k, q] = s * akp + c * akq;
        }
        for (int k = 0; k < n; k++)
        {
            double apk = a[p, k], aqk = a[q, k];
            a[p, k] = c * apk - s * aqk;
            a[q, k] = s * apk + c * aqk;
        }
        for (int k = 0; k < n; k++)
        {
            double vkp = v[k, p], vkq = v[k, q];
            v[k, p] = c * vkp - s * vkq;
            v[k, q] = s * vkp + c * vkq;
        }
    }
}
