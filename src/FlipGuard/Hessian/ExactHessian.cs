using FlipGuard.Core;
using static TorchSharp.torch;

namespace FlipGuard.Hessian;

/// <summary>
/// The full Hessian matrix, built column by column with one Hessian-vector product per basis vector. Only for
/// tiny networks (a few thousand parameters): it is the oracle that every stochastic estimator is tested against.
/// </summary>
public static class ExactHessian
{
    /// <summary>Largest dimension this will build (the matrix alone is Dimension² doubles).</summary>
    public const long MaxDimension = 5000;

    /// <summary>Builds H as a dense Dimension × Dimension matrix.</summary>
    /// <exception cref="FlipGuardException">The operator is too large to materialise.</exception>
    public static double[,] Compute(HessianOperator hessian)
    {
        long d = hessian.Dimension;
        if (d > MaxDimension) throw new FlipGuardException($"the exact Hessian is limited to {MaxDimension} parameters; this selection has {d}");
        var h = new double[d, d];
        for (long j = 0; j < d; j++)
        {
            using var scope = NewDisposeScope();
            var e = zeros(d, dtype: hessian.Blocks[0].Parameter.dtype);
            e[j] = 1;
            var column = hessian.ApplyFlat(e).to_type(ScalarType.Float64).data<double>().ToArray();
            for (long i = 0; i < d; i++) h[i, j] = column[i];
        }
        return h;
    }
}
