using FlipGuard.Hessian;
using TorchSharp;
using static TorchSharp.torch;

namespace FlipGuard.Training;

/// <summary>
/// Hessian-aware training on the top of the spectrum: loss + λ·Σᵢ λᵢ over the k largest eigenvalues. The
/// eigenvectors are tracked across steps by one round of subspace iteration per regularised step (warm start,
/// so k Hessian-vector products per step instead of a fresh Lanczos run), and each λᵢ enters the loss as the
/// Rayleigh quotient uᵢᵀHuᵢ with uᵢ held fixed — its gradient is then ∂λᵢ/∂θ (the eigenvalue's derivative).
/// Subspace iteration follows the largest-magnitude eigenvalues, which in trained networks are the positive top ones.
/// </summary>
public sealed class TopEigenvalueObjective : IStepObjective
{
    private readonly double lambda;
    private readonly int k, every;
    private readonly LayerSelection layers;
    private readonly long seed;
    private Tensor? basis;
    private string basisKey = "";

    /// <summary>Creates the objective for the <paramref name="k"/> largest eigenvalues.</summary>
    public TopEigenvalueObjective(double lambda, int k, LayerSelection layers, int every, long seed)
    {
        if (!(lambda >= 0)) throw new FlipGuardException($"--lambda must be ≥ 0, got {lambda}");
        if (k < 1) throw new FlipGuardException($"--top-p must be at least 1 eigenvalue, got {k}");
        if (every < 1) throw new FlipGuardException($"--reg-every must be at least 1, got {every}");
        (this.lambda, this.k, this.layers, this.every, this.seed) = (lambda, k, layers, every, seed);
    }

    /// <inheritdoc />
    public string Name => "top-eig";

    /// <inheritdoc />
    public StepValues Backward(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, long step)
    {
        var loss = nn.functional.cross_entropy(model.forward(images), labels);
        if (step % every != 0)
        {
            loss.backward();
            return new StepValues(loss.ToDouble(), null);
        }
        var blocks = layers.Select(model, seed + step);
        var parameters = blocks.Select(b => (Tensor)b.Parameter).ToArray();
        long dimension = blocks.Sum(b => b.Size);
        if (k > dimension) throw new FlipGuardException($"--top-p {k} exceeds the {dimension} parameters the Hessian covers");
        string key = string.Join(",", blocks.Select(b => b.Name));
        if (basis is null || key != basisKey)
        {
            basis?.Dispose();
            using var g = new Generator(unchecked((ulong)(seed + step)));
            basis = Orthonormalize(randn(new long[] { k, dimension }, dtype: parameters[0].dtype, generator: g).to(parameters[0].device)).DetachFromDisposeScope();
            basisKey = key;
        }
        var grads = autograd.grad(new[] { loss }, parameters, retain_graph: true, create_graph: true);
        var flatGrad = cat(grads.Select(g => g.reshape(-1)).ToArray());
        Tensor sum = zeros(1, dtype: loss.dtype, device: loss.device).squeeze();
        var products = new Tensor[k];
        for (int i = 0; i < k; i++)
        {
            var u = basis[i];
            var hu = autograd.grad(new[] { flatGrad.dot(u) }, parameters, retain_graph: true, create_graph: true);
            var flatHu = cat(hu.Select(h => h.reshape(-1)).ToArray());
            sum = sum + flatHu.dot(u);
            products[i] = flatHu.detach();
        }
        var next = Orthonormalize(stack(products)).DetachFromDisposeScope();
        basis.Dispose();
        basis = next;
        (loss + lambda * sum).backward();
        return new StepValues(loss.ToDouble(), sum.ToDouble());
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
