using static TorchSharp.torch;

namespace FlipGuard.Models.Described;

/// <summary>
/// The module a described architecture becomes: its layers run in order, each registered under its name or index
/// (so state-dict names match PyTorch's <c>nn.Sequential</c>: <c>0.weight</c>, <c>features.conv1.weight</c>), and a
/// residual block adds its input to the result. Layers are invoked through <c>call</c> so forward hooks see them.
/// </summary>
public sealed class DescribedNetwork : nn.Module<Tensor, Tensor>, ILayerSequence
{
    private readonly nn.Module<Tensor, Tensor>[] layers;
    private readonly bool residual;

    /// <summary>Wraps already built layers; <see cref="SequentialBuilder"/> is the way to make one.</summary>
    internal DescribedNetwork(string name, IReadOnlyList<(string Name, nn.Module<Tensor, Tensor> Module)> children, bool residual) : base(name)
    {
        layers = children.Select(c => c.Module).ToArray();
        this.residual = residual;
        foreach (var (childName, module) in children) register_module(childName, module);
    }

    /// <inheritdoc />
    public IReadOnlyList<nn.Module<Tensor, Tensor>> Layers => layers;

    /// <inheritdoc />
    public bool AddsInput => residual;

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => ILayerSequence.Run(this, input);
}
