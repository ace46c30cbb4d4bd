using TorchSharp.Modules;

namespace FlipGuard.Hessian;

/// <summary>One named parameter tensor that a Hessian computation ranges over.</summary>
public sealed record ParameterBlock(string Name, Parameter Parameter)
{
    /// <summary>The layer the parameter belongs to: its name without the last segment (<c>fc1.weight</c> → <c>fc1</c>).</summary>
    public string Layer => Name.Contains('.') ? Name[..Name.LastIndexOf('.')] : Name;

    /// <summary>Number of scalar entries.</summary>
    public long Size => Parameter.numel();
}
