using FlipGuard.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FlipGuard.Faults.Evaluation.FullyConnected;

/// <summary>
/// Decides from a network's structure — the layers it declares it runs, in order (<see cref="ILayerSequence"/>: the
/// zoo's networks, every described or imported architecture) — and not from its class whether it ends in exactly what
/// <see cref="LinearChainEvaluator"/>'s math covers: logits = W_L·relu(… relu(W_1·f(x) + b_1) …) + b_L, where f is
/// the <see cref="ReluChain.Prefix"/>, everything the network runs before its first linear layer. Each piece of the
/// tail is an assumption of the evaluator: a change of W[i,j] or b[i] of layer l moves only unit i of that layer (each
/// linear layer used once, float32); a hidden unit reaches the next layer only through max(0, ·) (pair gains,
/// saturation thresholds and the incremental recomputation all assume it); the last linear layer's output is the
/// logits (margins and the last-layer decision; a trailing ReLU would clamp logits into ties it does not model).
/// Refused as a tail: two linear layers without a ReLU, two ReLUs in a row, a ReLU last, a flatten, pooling, batch
/// norm or a residual block between linear layers, any other module after the first linear layer, a network that is
/// itself a residual block or does not declare its layers; the factory then keeps its other choices.
/// The prefix may be anything (convolutions, batch norm, pooling, residual blocks, a flatten): nothing in it changes
/// when a tail parameter flips, so its output is computed once per sample by torch, as the naive path computes it.
/// A prefix that is empty or a single flatten(1) makes the whole network the chain (the mlp); otherwise only the tail's
/// parameters are the chain's, and flips of the prefix go to another evaluator.
/// </summary>
public static class ReluChainStructure
{
    /// <summary>The chain at the end of <paramref name="model"/>, or null when it does not end in one.</summary>
    public static ReluChain? Recognise(nn.Module model)
    {
        if (model is not ILayerSequence sequence || sequence.AddsInput) return null;
        var layers = new List<nn.Module<Tensor, Tensor>>();
        Expand(sequence, layers);
        int at = layers.FindIndex(l => l is Linear);
        if (at < 0) return null;
        var prefix = layers.Take(at).ToArray();
        var linears = new List<Linear>();
        while (true)
        {
            if (at == layers.Count || layers[at] is not Linear linear || !IsFloat32(linear) || linears.Any(l => ReferenceEquals(l, linear))) return null;
            if (linears.Count > 0 && linears[^1].out_features != linear.in_features) return null;
            linears.Add(linear);
            if (++at == layers.Count) return new ReluChain(prefix, linears.ToArray());
            if (layers[at] is not ReLU) return null; // in-place or not: the same values reach the next layer
            at++;
        }
    }

    /// <summary>The layers of <paramref name="sequence"/>, nested plain sequences inlined; a block that adds its input stays one layer.</summary>
    private static void Expand(ILayerSequence sequence, List<nn.Module<Tensor, Tensor>> into)
    {
        foreach (var layer in sequence.Layers)
        {
            if (layer is ILayerSequence { AddsInput: false } inner) Expand(inner, into);
            else into.Add(layer);
        }
    }

    private static bool IsFloat32(Linear linear) =>
        linear.weight is { } w && w.dtype == ScalarType.Float32 && w.dim() == 2 && (linear.bias is null || linear.bias.dtype == ScalarType.Float32);
}

/// <summary>A fully connected ReLU chain at the end of a network: what runs before it, and its linear layers in forward order.</summary>
/// <param name="Prefix">The layers before the first linear layer, in order (empty for a chain that starts at the input).</param>
/// <param name="Linears">The chain's linear layers.</param>
public sealed record ReluChain(IReadOnlyList<nn.Module<Tensor, Tensor>> Prefix, Linear[] Linears)
{
    /// <summary>Whether the chain is the whole network: no prefix, or only a flatten of dims 1…−1.</summary>
    public bool IsWholeNetwork => Prefix.Count == 0 || Prefix is [Flatten { start_dim: 1, end_dim: -1 }];

    /// <summary>The input of the first linear layer for <paramref name="images"/>: the prefix run in order, as the network's forward runs it.</summary>
    public Tensor Features(Tensor images)
    {
        if (Prefix.Count == 0) return images.alias();
        using var scope = NewDisposeScope();
        var x = images;
        foreach (var layer in Prefix) x = layer.call(x);
        return x.MoveToOuterDisposeScope();
    }
}
