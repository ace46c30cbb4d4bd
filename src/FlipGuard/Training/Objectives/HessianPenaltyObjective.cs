using FlipGuard.Core;
using FlipGuard.Hessian;
using TorchSharp;
using static TorchSharp.torch;

namespace FlipGuard.Training.Objectives;

/// <summary>
/// Loss + λ·(a differentiable Hessian statistic of the batch loss), added every <c>every</c> steps on the layers a
/// <see cref="LayerSelection"/> picks. Subclasses say which statistic; this class owns the schedule and the sum.
/// </summary>
public abstract class HessianPenaltyObjective : IStepObjective
{
    private readonly double lambda;
    private readonly int every;
    private readonly LayerSelection layers;

    /// <summary>Checks and stores the shared options.</summary>
    protected HessianPenaltyObjective(double lambda, LayerSelection layers, int every, long seed)
    {
        if (!(lambda >= 0) || double.IsInfinity(lambda)) throw new FlipGuardException($"--lambda must be a number ≥ 0, got {lambda}");
        if (every < 1) throw new FlipGuardException($"--reg-every must be at least 1, got {every}");
        (this.lambda, this.layers, this.every, Seed) = (lambda, layers, every, seed);
    }

    /// <summary>Seed of the objective's random choices (probes, layer samples, start vectors).</summary>
    protected long Seed { get; }

    /// <inheritdoc />
    public abstract string Name { get; }

    /// <inheritdoc />
    public StepValues Backward(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, long step)
    {
        var loss = nn.functional.cross_entropy(model.forward(images), labels);
        if (step % every != 0)
        {
            loss.backward();
            return new StepValues(loss.ToDouble(), null);
        }
        var blocks = layers.Select(model, Seed + step);
        var parameters = blocks.Select(b => (Tensor)b.Parameter).ToArray();
        var grads = autograd.grad(new[] { loss }, parameters, retain_graph: true, create_graph: true);
        var penalty = Penalty(blocks, parameters, grads.ToArray(), step);
        (loss + lambda * penalty).backward();
        return new StepValues(loss.ToDouble(), penalty.ToDouble());
    }

    /// <summary>
    /// The statistic as a scalar tensor differentiable in the parameters, given the loss gradient
    /// <paramref name="grads"/> (built with <c>create_graph</c>, so Hessian-vector products can be taken from it).
    /// </summary>
    protected abstract Tensor Penalty(IReadOnlyList<ParameterBlock> blocks, Tensor[] parameters, Tensor[] grads, long step);

    /// <summary>Σᵢ aᵢ·bᵢ over matching tensors, as one scalar.</summary>
    protected static Tensor Dot(IEnumerable<Tensor> a, IEnumerable<Tensor> b) => a.Zip(b, (x, y) => (x * y).sum()).Aggregate((p, q) => p + q);
}
