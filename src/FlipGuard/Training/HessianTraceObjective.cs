using FlipGuard.Hessian;
using TorchSharp;
using static TorchSharp.torch;

namespace FlipGuard.Training;

/// <summary>
/// Hessian-aware training: loss + λ·Tr(H), with Tr(H) estimated on the batch by Hutchinson probes vᵀHv whose
/// Hessian-vector products are built with <c>create_graph</c>, so the penalty's own gradient (a third
/// derivative) flows into the parameters. Restricting the Hessian to some layers, or adding the term only
/// every N steps, cuts the cost.
/// </summary>
public sealed class HessianTraceObjective : IStepObjective
{
    private readonly double lambda;
    private readonly int probes, every;
    private readonly LayerSelection layers;
    private readonly Generator generator;
    private readonly long seed;

    /// <summary>Creates the objective; probes are seeded by <paramref name="seed"/> and the step number.</summary>
    public HessianTraceObjective(double lambda, int probes, LayerSelection layers, int every, long seed)
    {
        if (!(lambda >= 0)) throw new FlipGuardException($"--lambda must be ≥ 0, got {lambda}");
        if (probes < 1) throw new FlipGuardException($"--probes must be at least 1, got {probes}");
        if (every < 1) throw new FlipGuardException($"--reg-every must be at least 1, got {every}");
        (this.lambda, this.probes, this.layers, this.every, this.seed) = (lambda, probes, layers, every, seed);
        generator = new Generator(unchecked((ulong)seed));
    }

    /// <inheritdoc />
    public string Name => "trace";

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
        var grads = autograd.grad(new[] { loss }, parameters, retain_graph: true, create_graph: true);
        generator.manual_seed(unchecked(seed * 7919 + step));
        Tensor trace = zeros(1, dtype: loss.dtype, device: loss.device);
        for (int p = 0; p < probes; p++)
        {
            var v = parameters.Select(t => randint(0, 2, t.shape, dtype: t.dtype, generator: generator).to(t.device).mul_(2).sub_(1)).ToArray();
            var gv = grads.Zip(v, (g, vi) => (g * vi).sum()).Aggregate((a, b) => a + b);
            var hv = autograd.grad(new[] { gv }, parameters, retain_graph: true, create_graph: true);
            trace = trace + hv.Zip(v, (h, vi) => (h * vi).sum()).Aggregate((a, b) => a + b);
        }
        trace = trace / probes;
        var total = loss + lambda * trace.squeeze();
        total.backward();
        return new StepValues(loss.ToDouble(), trace.ToDouble());
    }
}
