using static TorchSharp.torch;

namespace FlipGuard.Faults.Evaluation.Incremental;

/// <summary>
/// A per-sample, per-weight bound on how far a change Δ of one convolution weight w[o,i,u,v] can move any logit:
/// |Δ| · Σ_q G(o,q) · max_{p ∈ window q} |x(i, p·stride + (u,v)·dilation)|, where x is the sample's cached input, the
/// window is that of the max-pooling right after the convolution (ReLU between: 1-Lipschitz), and G is the largest
/// entry over the classes of the |W| network's Jacobian from that pooled position to the logits. The certified skip's
/// per-layer bound assumes the largest input at every position and the worst position's gain; on sparse feature maps
/// this one is several times smaller, so far fewer samples are left to recompute. It applies to a convolution followed
/// by optional ReLU, one max-pooling, and then only layers whose bound map is linear (linear, convolution, batch norm,
/// average pooling, ReLU, flatten; no residual sums) — LeNet-5's second convolution, for instance.
/// </summary>
internal static class PositionSensitivity
{
    /// <summary>Largest samples × weights table built (float32 entries).</summary>
    private const long MaxEntries = 64L << 20;

    /// <summary>
    /// For convolution step <paramref name="at"/>: the bound per unit |Δ|, [samples × weights] row-major in the weight's
    /// layout, rounded up to float32; null when the stack after it does not have the shape above or the table is too big.
    /// </summary>
    public static float[]? Measure(LayerStack stack, StackActivations clean, int at)
    {
        var steps = stack.Steps;
        if (steps[at].Kind != StackStepKind.Convolution) return null;
        int pool = at + 1;
        while (pool < steps.Length && steps[pool].Kind is StackStepKind.Relu or StackStepKind.Identity) pool++;
        if (pool >= steps.Length || steps[pool].Kind != StackStepKind.MaxPool) return null;
        for (int l = pool + 1; l < steps.Length; l++)
            if (steps[l].Kind is StackStepKind.MaxPool or StackStepKind.Residual) return null;
        var weight = steps[at].Weight!;
        long n = clean.Inputs[0].shape[0], weights = weight.numel();
        if (n * weights > MaxEntries) return null;
        using var scope = NewDisposeScope();
        var gain = Gain(stack, clean, pool + 1); // [C, h, w] at the pooling's output
        long kh = weight.shape[2], kw = weight.shape[3];
        var step = steps[at];
        var result = new float[n * weights];
        const int Block = 256;
        using var noGrad = no_grad();
        for (long start = 0; start < n; start += Block)
        {
            using var blockScope = NewDisposeScope();
            long len = Math.Min(Block, n - start);
            var x = clean.Inputs[at].narrow(0, start, len).abs().to_type(ScalarType.Float64);
            long oh = clean.Inputs[at + 1].shape[2], ow = clean.Inputs[at + 1].shape[3];
            var pooled = new List<Tensor>();
            for (long u = 0; u < kh; u++)
                for (long v = 0; v < kw; v++)
                    pooled.Add(steps[pool].Module.call(step.Window(x, u, v, oh, ow)).flatten(2)); // [len, C_in, q]
            // [len, C_in, kh·kw, q] · G[o, q] → [len, o, C_in, kh·kw]: the weight's layout.
            var windows = TorchSharp.torch.stack(pooled, 2);
            var bound = einsum("sikq,oq->soik", windows, gain.flatten(1));
            var values = bound.contiguous().data<double>().ToArray();
            for (long k = 0; k < values.Length; k++) result[start * weights + k] = MathF.BitIncrement((float)values[k]);
        }
        return result;
    }

    /// <summary>
    /// The |W| network's Jacobian from step <paramref name="from"/>'s input to the logits, largest over the classes:
    /// one backward pass of the identity through the bound maps (|W| for linear and convolution, |scale| for batch norm).
    /// </summary>
    private static Tensor Gain(LayerStack stack, StackActivations clean, int from)
    {
        using var grad = enable_grad();
        var shape = clean.Inputs[from].shape.ToArray();
        shape[0] = clean.Classes;
        var x = zeros(shape, ScalarType.Float64, requires_grad: true);
        var y = x;
        for (int l = from; l < stack.Steps.Length; l++)
        {
            var step = stack.Steps[l];
            y = step.Kind switch
            {
                StackStepKind.Linear => y.matmul(step.AbsWeight!.t()),
                StackStepKind.Convolution => nn.functional.conv2d(y, step.AbsWeight!, null, step.Stride, step.Padding, step.Dilation),
                StackStepKind.BatchNorm => y * step.Scale!.abs().view(1, -1, 1, 1),
                StackStepKind.AveragePool => step.Module.call(y),
                StackStepKind.Flatten => y.flatten(1),
                _ => y, // ReLU, dropout: 1-Lipschitz, passed through
            };
        }
        var jacobian = autograd.grad([y], [x], [eye(clean.Classes, dtype: ScalarType.Float64)])[0];
        return jacobian.amax(0).detach();
    }
}
