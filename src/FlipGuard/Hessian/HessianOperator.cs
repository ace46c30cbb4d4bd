using FlipGuard.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace FlipGuard.Hessian;

/// <summary>
/// The Hessian of the mean cross-entropy loss over some data with respect to a chosen set of parameters,
/// available only through Hessian-vector products computed by double back-propagation (never formed).
/// By default the model is put in evaluation mode while products are taken, so batch norm uses its running
/// statistics and dropout is off; otherwise the Hessian would change from one product to the next.
/// Vectors are lists of tensors shaped like the parameters (one per <see cref="Blocks"/> entry).
/// </summary>
public sealed class HessianOperator
{
    private readonly nn.Module<Tensor, Tensor> model;
    private readonly IReadOnlyList<(Tensor Images, Tensor Labels)> batches;
    private readonly long samples;
    private readonly bool trainMode;

    /// <summary>Creates the operator over <paramref name="batches"/>; products average over them weighted by size.</summary>
    /// <param name="model">The network.</param>
    /// <param name="blocks">Parameters the Hessian ranges over (see <see cref="LayerSelection"/>).</param>
    /// <param name="batches">Data; the loss is the mean over all their samples.</param>
    /// <param name="trainMode">Keep batch norm and dropout in training mode (rarely what you want).</param>
    public HessianOperator(nn.Module<Tensor, Tensor> model, IReadOnlyList<ParameterBlock> blocks, IReadOnlyList<(Tensor Images, Tensor Labels)> batches, bool trainMode = false)
    {
        TorchRuntime.EnsureInitialized();
        if (blocks.Count == 0) throw new FlipGuardException("the Hessian needs at least one parameter");
        if (batches.Count == 0) throw new FlipGuardException("the Hessian needs at least one batch of data");
        this.model = model;
        Blocks = blocks;
        this.batches = batches;
        this.trainMode = trainMode;
        samples = batches.Sum(b => b.Images.shape[0]);
        Dimension = blocks.Sum(b => b.Size);
    }

    /// <summary>The parameters, in vector order.</summary>
    public IReadOnlyList<ParameterBlock> Blocks { get; }

    /// <summary>Number of scalar parameters (the Hessian is Dimension × Dimension).</summary>
    public long Dimension { get; }

    /// <summary>Number of Hessian-vector products computed so far (the unit of cost).</summary>
    public int ProductCount { get; private set; }

    /// <summary>H·v, where <paramref name="v"/> holds one tensor per block. The result is detached, in the caller's dispose scope.</summary>
    public Tensor[] Apply(IReadOnlyList<Tensor> v)
    {
        ProductCount++;
        var parameters = Blocks.Select(b => (Tensor)b.Parameter).ToArray();
        var total = parameters.Select(p => zeros_like(p)).ToArray();
        using var mode = new ModeScope(model, trainMode);
        foreach (var (images, labels) in batches)
        {
            using var scope = NewDisposeScope();
            var loss = nn.functional.cross_entropy(model.forward(images), labels);
            var grads = autograd.grad(new[] { loss }, parameters, retain_graph: true, create_graph: true);
            var gv = grads.Zip(v, (g, vi) => (g * vi).sum()).Aggregate((a, b) => a + b);
            var hv = autograd.grad(new[] { gv }, parameters);
            double weight = (double)images.shape[0] / samples;
            for (int i = 0; i < total.Length; i++) total[i].add_(hv[i].detach(), alpha: weight);
        }
        return total;
    }

    /// <summary>The mean loss over all batches (no gradient).</summary>
    public double Loss()
    {
        double loss = 0;
        using var mode = new ModeScope(model, trainMode);
        using var noGrad = no_grad();
        foreach (var (images, labels) in batches)
        {
            using var scope = NewDisposeScope();
            loss += nn.functional.cross_entropy(model.forward(images), labels).ToDouble() * images.shape[0] / samples;
        }
        return loss;
    }

    /// <summary>The mean loss and its gradient with respect to the blocks (detached).</summary>
    public (double Loss, Tensor[] Gradient) LossAndGradient()
    {
        var parameters = Blocks.Select(b => (Tensor)b.Parameter).ToArray();
        var total = parameters.Select(p => zeros_like(p)).ToArray();
        double loss = 0;
        using var mode = new ModeScope(model, trainMode);
        foreach (var (images, labels) in batches)
        {
            using var scope = NewDisposeScope();
            var l = nn.functional.cross_entropy(model.forward(images), labels);
            var g = autograd.grad(new[] { l }, parameters);
            double weight = (double)images.shape[0] / samples;
            loss += l.ToDouble() * weight;
            for (int i = 0; i < total.Length; i++) total[i].add_(g[i], alpha: weight);
        }
        return (loss, total);
    }

    /// <summary>A vector of independent Rademacher (±1) entries, reproducible from <paramref name="generator"/>.</summary>
    public Tensor[] Rademacher(Generator generator) =>
        Blocks.Select(b => randint(0, 2, b.Parameter.shape, dtype: b.Parameter.dtype, generator: generator).mul_(2).sub_(1)).ToArray();

    /// <summary>Joins per-block tensors into one flat vector.</summary>
    public static Tensor Flatten(IReadOnlyList<Tensor> parts) => cat(parts.Select(p => p.reshape(-1)).ToArray());

    /// <summary>Splits a flat vector into per-block tensors shaped like the parameters.</summary>
    public Tensor[] Unflatten(Tensor flat)
    {
        var result = new Tensor[Blocks.Count];
        long offset = 0;
        for (int i = 0; i < result.Length; i++)
        {
            long n = Blocks[i].Size;
            result[i] = flat.narrow(0, offset, n).view(Blocks[i].Parameter.shape);
            offset += n;
        }
        return result;
    }

    /// <summary>H·v on flat vectors.</summary>
    public Tensor ApplyFlat(Tensor v) => Flatten(Apply(Unflatten(v)));

    /// <summary>Sets the model's train/eval mode for a computation and restores it afterwards.</summary>
    private readonly struct ModeScope : IDisposable
    {
        private readonly nn.Module model;
        private readonly bool wasTraining;

        public ModeScope(nn.Module model, bool train)
        {
            this.model = model;
            wasTraining = model.training;
            model.train(train);
        }

        public void Dispose() => model.train(wasTraining);
    }
}
