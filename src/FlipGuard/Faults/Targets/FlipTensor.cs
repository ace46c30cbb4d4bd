using FlipGuard.Faults.Encodings;
using TorchSharp.Modules;

namespace FlipGuard.Faults.Targets;

/// <summary>
/// One flippable parameter tensor of a <see cref="FlipTarget"/>: its name, the live Parameter, the layer it
/// belongs to, its kind and how its format stores it (<see cref="Encoded"/>).
/// </summary>
public sealed class FlipTensor
{
    internal FlipTensor(string name, Parameter parameter, EncodedTensor encoded)
    {
        Name = name;
        Parameter = parameter;
        Encoded = encoded;
        Layer = name.Contains('.') ? name[..name.LastIndexOf('.')] : name;
        Length = parameter.numel();
        Kind = KindOf(name, parameter);
    }

    /// <summary>Parameter name as in the state dict, e.g. <c>fc1.weight</c>.</summary>
    public string Name { get; }
    /// <summary>The live tensor evaluators change and restore.</summary>
    public Parameter Parameter { get; }
    /// <summary>The layer: the name without its last segment (<c>fc1.weight</c> → <c>fc1</c>).</summary>
    public string Layer { get; }
    /// <summary>Weight, bias or other.</summary>
    public TensorKind Kind { get; }
    /// <summary>Number of entries.</summary>
    public long Length { get; }
    /// <summary>The tensor as its format stores it: the encoding, the scale (int8) and the clean stored words.</summary>
    public EncodedTensor Encoded { get; }

    /// <summary>A copy of the current values, flat in storage order (the order of flat indices).</summary>
    public float[] ReadValues()
    {
        using var cpu = Parameter.detach().cpu().contiguous().view(-1);
        return cpu.data<float>().ToArray();
    }

    internal static TensorKind KindOf(string name, Parameter parameter) =>
        name.EndsWith(".weight", StringComparison.Ordinal) && parameter.dim() >= 2 ? TensorKind.Weight
        : name.EndsWith(".bias", StringComparison.Ordinal) ? TensorKind.Bias
        : TensorKind.Other;
}
