using FlipGuard.Core;
using TorchSharp;
using static TorchSharp.torch;
using System.Text.Json.Serialization;

namespace FlipGuard.Hessian;

/// <summary>
/// The top-k Hessian eigenvalues and eigenvectors. The default is Lanczos: with full re-orthogonalisation it
/// resolves the k largest eigenvalues to high accuracy in a few tens of Hessian-vector products, while power
/// iteration converges at the rate λ₂/λ₁ and repeats the work for each deflated eigenvalue, so it needs several
/// times more products for the same accuracy when eigenvalues cluster (as they do in trained networks).
/// Power iteration is kept because it is what PyHessian reports and it finds the largest |λ|.
/// </summary>
public static class TopEigenvalues
{
    /// <summary>Lanczos estimate of the k algebraically largest eigenvalues (<paramref name="steps"/> Krylov steps).</summary>
    public static EigenEstimate ByLanczos(HessianOperator hessian, int k, int steps = 0, long seed = 0, CancellationToken cancellation = default)
    {
        Validate(hessian, k);
        steps = steps > 0 ? steps : Math.Max(2 * k + 20, 30);
        int before = hessian.ProductCount;
        using var generator = new Generator(unchecked((ulong)seed));
        var start = HessianOperator.Flatten(hessian.Rademacher(generator));
        var run = Lanczos.Iterate(hessian, start, steps, cancellation);
        int m = run.RitzValues.Length;
        k = Math.Min(k, m);
        var values = new double[k];
        var vectors = new Tensor[k];
        var dtype = hessian.Blocks[0].Parameter.dtype;
        for (int i = 0; i < k; i++)
        {
            int c = m - 1 - i;
            values[i] = run.RitzValues[c];
            var y = tensor(Enumerable.Range(0, m).Select(r => run.RitzVectors[r, c]).ToArray(), ScalarType.Float64);
            var v = run.Basis.t().mv(y);
            vectors[i] = (v / v.norm()).to_type(dtype).DetachFromDisposeScope();
        }
        run.Basis.Dispose();
        return new EigenEstimate(values, "lanczos", hessian.ProductCount - before) { Vectors = vectors };
    }

    /// <summary>Power iteration with deflation: the k largest-magnitude eigenvalues, each to relative change ≤ <paramref name="tolerance"/>.</summary>
    public static EigenEstimate ByPowerIteration(HessianOperator hessian, int k, int maxIterations = 100, double tolerance = 1e-4, long seed = 0, CancellationToken cancellation = default)
    {
        Validate(hessian, k);
        int before = hessian.ProductCount;
        using var generator = new Generator(unchecked((ulong)seed));
        var values = new List<double>();
        var vectors = new List<Tensor>();
        for (int i = 0; i < k; i++)
        {
            var v = Orthogonalize(HessianOperator.Flatten(hessian.Rademacher(generator)), vectors);
            v = v / v.norm();
            double lambda = 0;
            for (int it = 0; it < maxIterations; it++)
            {
                cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var hv = Orthogonalize(hessian.ApplyFlat(v), vectors);
                double next = hv.dot(v).ToDouble(); // Rayleigh quotient of the unit vector v
                double norm = hv.norm().ToDouble();
                if (norm == 0) { lambda = 0; break; }
                v.Dispose();
                v = (hv / norm).MoveToOuterDisposeScope();
                bool done = it > 0 && Math.Abs(next - lambda) <= tolerance * Math.Max(Math.Abs(lambda), 1e-12);
                lambda = next;
                if (done) break;
            }
            values.Add(lambda);
            vectors.Add(v.DetachFromDisposeScope());
        }
        var order = Enumerable.Range(0, k).OrderByDescending(i => values[i]).ToArray();
        return new EigenEstimate(order.Select(i => values[i]).ToArray(), "power", hessian.ProductCount - before) { Vectors = order.Select(i => vectors[i]).ToList() };
    }

    /// <summary>Removes the components along already-found unit eigenvectors (deflation by projection).</summary>
    private static Tensor Orthogonalize(Tensor v, List<Tensor> against)
    {
        var result = v;
        foreach (var u in against) result = result - u * u.dot(result);
        return result;
    }

    private static void Validate(HessianOperator hessian, int k)
    {
        if (k < 1) throw new FlipGuardException($"--top-k must be at least 1, got {k}");
        if (k > hessian.Dimension) throw new FlipGuardException($"--top-k {k} exceeds the number of parameters ({hessian.Dimension})");
    }
}

/// <summary>The largest Hessian eigenvalues (descending) with their eigenvectors and what they cost.</summary>
/// <param name="Values">Eigenvalues, largest first.</param>
/// <param name="Method">lanczos or power.</param>
/// <param name="HessianVectorProducts">Products spent, the fair unit for comparing methods.</param>
public sealed record EigenEstimate(double[] Values, string Method, int HessianVectorProducts)
{
    /// <summary>Unit eigenvectors as flat float tensors (not serialised).</summary>
    [JsonIgnore] public IReadOnlyList<Tensor> Vectors { get; init; } = [];
}
