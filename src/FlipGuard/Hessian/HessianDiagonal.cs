using FlipGuard.Core;
using static TorchSharp.torch;

namespace FlipGuard.Hessian;

/// <summary>
/// Per-parameter Hessian diagonal by Hutchinson's method: E[v ⊙ Hv] = diag(H) for Rademacher v. Later analyses
/// use H_ii to predict which parameters a bit flip hurts most (second-order loss change ½·H_ii·Δw²).
/// </summary>
public static class HessianDiagonal
{
    /// <summary>Mean of v ⊙ Hv over <paramref name="probes"/> probes, one detached tensor per block.</summary>
    public static Tensor[] Estimate(HessianOperator hessian, int probes, long seed = 0, IProgress<int>? progress = null, CancellationToken cancellation = default)
    {
        if (probes < 1) throw new FlipGuardException($"--probes must be at least 1, got {probes}");
        using var generator = new Generator(unchecked((ulong)seed));
        var sum = hessian.Blocks.Select(b => zeros_like(b.Parameter).DetachFromDisposeScope()).ToArray();
        for (int p = 0; p < probes; p++)
        {
            cancellation.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var v = hessian.Rademacher(generator);
            var hv = hessian.Apply(v);
            for (int i = 0; i < sum.Length; i++) sum[i].add_(v[i] * hv[i]);
            progress?.Report(p + 1);
        }
        foreach (var s in sum) s.div_(probes);
        return sum;
    }
}
