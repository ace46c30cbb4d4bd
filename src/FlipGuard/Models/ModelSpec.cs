namespace FlipGuard.Models;

/// <summary>
/// Everything needed to rebuild an architecture exactly: its zoo name and the input and output sizes.
/// A checkpoint stores it so that loading can refuse weights meant for another shape.
/// </summary>
public sealed record ModelSpec(string Architecture, int Channels, int Height, int Width, int Classes)
{
    /// <summary>Builds the model with initial weights drawn from <paramref name="seed"/>.</summary>
    public TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> Create(long seed = 0) =>
        ModelZoo.Create(Architecture, Channels, Height, Width, Classes, seed);

    /// <inheritdoc />
    public override string ToString() => $"{Architecture} ({Channels}×{Height}×{Width} → {Classes})";
}
