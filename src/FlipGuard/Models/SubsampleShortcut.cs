using static TorchSharp.torch;

namespace FlipGuard.Models;

/// <summary>
/// The parameter-free shortcut of a ResNet block that changes shape (He et al. 2016, option A): every
/// <see cref="Stride"/>-th row and column of the input, with <see cref="ExtraChannels"/> zero channels split around it
/// (the smaller half before). A named module rather than code inside a block's forward, so that analyses can read what
/// the block adds: it is linear and exact in float32 (a selection and zeros), which the incremental sweep relies on.
/// </summary>
public sealed class SubsampleShortcut : nn.Module<Tensor, Tensor>
{
    /// <summary>Creates the shortcut.</summary>
    public SubsampleShortcut(int stride, int extraChannels) : base("shortcut")
    {
        if (stride < 1 || extraChannels < 0) throw new ArgumentOutOfRangeException(nameof(stride), "stride must be positive and extra channels not negative");
        (Stride, ExtraChannels) = (stride, extraChannels);
    }

    /// <summary>Rows and columns kept: every Stride-th, from the first.</summary>
    public int Stride { get; }

    /// <summary>Zero channels added: ExtraChannels / 2 before the input's channels, the rest after.</summary>
    public int ExtraChannels { get; }

    /// <summary>Channels placed before the input's.</summary>
    public int Before => ExtraChannels / 2;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = Stride == 1 ? input.alias() : input[.., .., TensorIndex.Slice(null, null, Stride), TensorIndex.Slice(null, null, Stride)];
        if (ExtraChannels > 0) x = nn.functional.pad(x, new long[] { 0, 0, 0, 0, Before, ExtraChannels - Before });
        return x.MoveToOuterDisposeScope();
    }
}
