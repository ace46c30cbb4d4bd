using FlipGuard.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FlipGuard.Faults.Evaluation.FullyConnected;

/// <summary>
/// Decides from a network's structure — the layers it declares it runs, in order (<see cref="ILayerSequence"/>: the
/// zoo's mlp, every described or imported architecture) — and not from its class whether it is exactly what
/// <see cref="LinearChainEvaluator"/>'s math covers: logits = W_L·relu(… relu(W_1·flatten(x) + b_1) …) + b_L, i.e. an
/// optional leading flatten (dims 1…−1), then linear layers with exactly one ReLU between consecutive ones and nothing
/// after the last. Each piece is an assumption of the evaluator: a change of W[i,j] or b[i] of layer l moves only unit
/// i of that layer (each linear layer used once, float32); a hidden unit reaches the next layer only through
/// max(0, ·) (pair gains, saturation thresholds and the incremental recomputation all assume it); the last linear
/// layer's output is the logits (margins and the last-layer decision; a trailing ReLU would clamp logits into ties it
/// does not model); and the first layer sees flatten(1) of the images, as <see cref="LinearChain"/> caches it.
/// Everything else is refused — convolution, batch norm, pooling, a residual block, two linear layers without a ReLU,
/// two ReLUs in a row, a ReLU first or last, a flatten anywhere but first, any other module, a network that does not
/// declare its layers — and the factory keeps its other choices (certified skip or naive).
/// </summary>
internal static class ReluChainStructure
{
    /// <summary>The chain's linear layers in forward order and whether a flatten precedes them, or null when <paramref name="model"/> is not such a chain.</summary>
    public static (Linear[] Linears, bool Flattens)? Recognise(nn.Module model)
    {
        if (model is not ILayerSequence sequence) return null;
        var layers = new List<nn.Module>();
        if (!Expand(sequence, layers)) return null;
        int at = 0;
        bool flattens = layers.Count > 0 && layers[0] is Flatten;
        if (flattens)
        {
            var flatten = (Flatten)layers[0];
            if (flatten.start_dim != 1 || flatten.end_dim != -1) return null;
            at = 1;
        }
        var linears = new List<Linear>();
        while (true)
        {
            if (at == layers.Count || layers[at] is not Linear linear || !IsFloat32(linear) || linears.Any(l => ReferenceEquals(l, linear))) return null;
            if (linears.Count > 0 && linears[^1].out_features != linear.in_features) return null;
            linears.Add(linear);
            if (++at == layers.Count) return (linears.ToArray(), flattens);
            if (layers[at] is not ReLU) return null; // in-place or not: the same values reach the next layer
            at++;
        }
    }

    /// <summary>The leaf layers of <paramref name="sequence"/>, nested plain sequences inlined; false for a block that adds its input.</summary>
    private static bool Expand(ILayerSequence sequence, List<nn.Module> into)
    {
        if (sequence.AddsInput) return false;
        foreach (var layer in sequence.Layers)
        {
            if (layer is ILayerSequence inner)
            {
                if (!Expand(inner, into)) return false;
            }
            else into.Add(layer);
        }
        return true;
    }

    private static bool IsFloat32(Linear linear) =>
        linear.weight is { } w && w.dtype == ScalarType.Float32 && w.dim() == 2 && (linear.bias is null || linear.bias.dtype == ScalarType.Float32);
}
