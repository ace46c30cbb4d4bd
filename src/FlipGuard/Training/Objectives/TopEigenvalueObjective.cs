using FlipGuard.Core;
using FlipGuard.Hessian;
using static TorchSharp.torch;

namespace FlipGuard.Training.Objectives;

/// <summary>
/// Hessian-aware training on the top of the spectrum: loss + λ·Σᵢ λᵢ over the k largest eigenvalues. The
/// eigenvectors are tracked across steps by one round of subspace iteration per regularised step (warm start,
/// so k Hessian-vector products per step instead of a fresh Lanczos run), and each λᵢ enters the loss as the
/// Rayleigh quotient uᵢᵀHuᵢ with uᵢ held fixed — its gradient is then ∂λᵢ/∂θ (the eigenvalue's derivative).
/// Subspace iteration follows the largest-magnitude eigenvalues, which in trained networks are the positive top ones.
/// The tracked vectors are not part of a resume snapshot: a resumed run restarts them from a seeded random start.
/// </summary>
public sealed class TopEigenvalueObjective : HessianPenaltyObjective
{
    private readonly int k;
    private Tensor? basis;
    private string basisKey = "";

    /// <summary>Creates the objective for the <paramref name="k"/> largest eigenvalues.</summary>
    public TopEigenvalueObjective(double lambda, int k, LayerSelection layers, int every, long seed) : base(lambda, layers, every, seed)
    {
        if (k < 1) throw new FlipGuardException($"--top-p must be at least 1 eigenvalue, got {k}");
        this.k = k;
    }

    /// <inheritdoc />
    public override string Name => "top-eig";

    /// <inheritdoc />
    protected override Tensor Penalty(IReadOnlyList<ParameterBlock> blocks, Tensor[] parameters, Tensor[] grads, long step)
    {
        long dimension = blocks.Sum(b => b.Size);
        if (k > dimension) throw new FlipGuardException($"--top-p {k} exceeds the {dimension} parameters the Hessian covers");
        string key = string.Join(",", blocks.Select(b => b.Name));
        if (basis is null || key != basisKey)
        {
            basis?.Dispose();
            using var g = new Generator(unchecked((ulong)(Seed + step)));
            basis = Orthonormalize(randn(new long[] { k, dimension }, dtype: parameters[0].dtype, generator: g).to(parameters[0].device)).DetachFromDisposeScope();
            basisKey = key;
        }
        var flatGrad = cat(grads.Select(g => g.reshape(-1)).ToArray());
        Tensor? sum = null;
        var products = new Tensor[k];
        for (int i = 0; i < k; i++)
        {
            var u = basis[i];
            var hu = autograd.grad(new[] { flatGrad.dot(u) }, parameters, retain_graph: true, create_graph: true);
            var flatHu = cat(hu.Select(h => h.reshape(-1)).ToArray());
            var rayleigh = flatHu.dot(u);
            sum = sum is null ? rayleigh : sum + rayleigh;
            products[i] = flatHu.detach();
        }
        var next = Orthonormalize(stack(products)).DetachFromDisposeScope();
        basis.Dispose();
        basis = next;
        return sum!;
    }

    /// <summary>Gram–Schmidt on the rows (two passes for stability).</summary>
    private static Tensor Orthonormalize(Tensor rows)
    {
        using var scope = NewDisposeScope();
        var result = new List<Tensor>();
        for (int i = 0; i < rows.shape[0]; i++)
        {
            var r = rows[i];
            for (int pass = 0; pass < 2; pass++)
                foreach (var q in result) r = r - q * q.dot(r);
            result.Add(r / r.norm().clamp_min(1e-30));
        }
        return stack(result).MoveToOuterDisposeScope();
    }
}
