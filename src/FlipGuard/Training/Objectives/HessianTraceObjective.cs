using FlipGuard.Core;
using FlipGuard.Hessian;
using static TorchSharp.torch;

namespace FlipGuard.Training.Objectives;

/// <summary>
/// Hessian-aware training: loss + λ·Tr(H), with Tr(H) estimated on the batch by Hutchinson probes vᵀHv whose
/// Hessian-vector products are built with <c>create_graph</c>, so the penalty's own gradient (a third
/// derivative) flows into the parameters. Restricting the Hessian to some layers, or adding the term only
/// every N steps, cuts the cost.
/// </summary>
public sealed class HessianTraceObjective : HessianPenaltyObjective
{
    private readonly int probes;
    private readonly Generator generator;

    /// <summary>Creates the objective; probes are seeded by <paramref name="seed"/> and the step number.</summary>
    public HessianTraceObjective(double lambda, int probes, LayerSelection layers, int every, long seed) : base(lambda, layers, every, seed)
    {
        if (probes < 1) throw new FlipGuardException($"--probes must be at least 1, got {probes}");
        this.probes = probes;
        generator = new Generator(unchecked((ulong)seed));
    }

    /// <inheritdoc />
    public override string Name => "trace";

    /// <inheritdoc />
    protected override Tensor Penalty(IReadOnlyList<ParameterBlock> blocks, Tensor[] parameters, Tensor[] grads, long step)
    {
        generator.manual_seed(unchecked(Seed * 7919 + step));
        Tensor? trace = null;
        for (int p = 0; p < probes; p++)
        {
            var v = parameters.Select(t => randint(0, 2, t.shape, dtype: t.dtype, generator: generator).to(t.device).mul_(2).sub_(1)).ToArray();
            var hv = autograd.grad(new[] { Dot(grads, v) }, parameters, retain_graph: true, create_graph: true);
            var sample = Dot(hv, v);
            trace = trace is null ? sample : trace + sample;
        }
        return trace! / probes;
    }
}
