using static TorchSharp.torch;

namespace FlipGuard.Models;

/// <summary>
/// A network that states its own structure: its forward pass applies <see cref="Layers"/> in order, each to the
/// previous one's output, computes nothing between them or after the last, and adds its input to the result when
/// <see cref="AddsInput"/>. Analyses whose shortcuts depend on the shape of the computation (the linear-chain sweep
/// evaluator) read the shape here instead of recognising particular classes, so a described, imported or new
/// hand-written network of the same shape is treated like the built-in one. Implementations keep the promise by
/// making <see cref="Run"/> their <c>forward</c>.
/// </summary>
public interface ILayerSequence
{
    /// <summary>The layers in the order <c>forward</c> applies them; a layer may itself be an <see cref="ILayerSequence"/>.</summary>
    IReadOnlyList<nn.Module<Tensor, Tensor>> Layers { get; }

    /// <summary>Whether <c>forward</c> adds its input to the last layer's output (a residual block).</summary>
    bool AddsInput { get; }

    /// <summary>
    /// When <see cref="AddsInput"/>: the parameter-free map applied to the input before it is added (a ResNet's
    /// subsampled, zero-padded shortcut), or null for the input itself.
    /// </summary>
    SubsampleShortcut? Shortcut => null;

    /// <summary>
    /// The forward pass <paramref name="sequence"/> declares: its layers in order (through <c>call</c>, so forward hooks
    /// see each one), plus the input (through <see cref="Shortcut"/>, if any) when <see cref="AddsInput"/>; each intermediate tensor is disposed once the next layer has read it.
    /// </summary>
    static Tensor Run(ILayerSequence sequence, Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input;
        foreach (var layer in sequence.Layers)
        {
            var y = layer.call(x);
            // Each intermediate output as soon as the next layer has read it: a ResNet's 30 top-level outputs for a
            // 1,000-sample chunk would otherwise stay alive together (about a gigabyte).
            if (!ReferenceEquals(x, input) && !ReferenceEquals(x, y)) x.Dispose();
            x = y;
        }
        if (sequence.AddsInput) x = x + (sequence.Shortcut is { } shortcut ? shortcut.call(input) : input);
        return x.MoveToOuterDisposeScope();
    }
}
