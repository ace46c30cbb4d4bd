using System.Text.Json.Serialization;

namespace FlipGuard.Models.Described;

/// <summary>
/// One layer of a described architecture, as a user writes it in JSON. One record for every layer type keeps the
/// schema flat and easy to write by hand; <see cref="SequentialBuilder"/> says which fields each type needs.
/// </summary>
public sealed record LayerDescription
{
    /// <summary>
    /// <c>conv</c>, <c>linear</c>, <c>relu</c>, <c>maxpool</c>, <c>avgpool</c>, <c>global-avgpool</c>, <c>batchnorm</c>,
    /// <c>flatten</c>, <c>residual</c> (output = input + its layers) or <c>sequential</c> (a named group).
    /// </summary>
    public string Type { get; init; } = "";

    /// <summary>
    /// The name this layer's tensors get in the state dict (<c>fc1</c> gives <c>fc1.weight</c>); default: its index,
    /// as in PyTorch's <c>nn.Sequential</c>.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Name { get; init; }

    /// <summary>Output channels (conv) or features (linear).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Out { get; init; }

    /// <summary>Square kernel side (conv, maxpool, avgpool).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Kernel { get; init; }

    /// <summary>Stride (conv default 1; pooling default = kernel, as in PyTorch).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Stride { get; init; }

    /// <summary>Zero padding on every side (conv, pooling; default 0).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Padding { get; init; }

    /// <summary>Whether conv or linear has a bias (default true, as in PyTorch).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Bias { get; init; }

    /// <summary>Batch-norm epsilon (default 1e-5, as in PyTorch).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Eps { get; init; }

    /// <summary>The layers inside a <c>residual</c> or <c>sequential</c> block.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<LayerDescription>? Layers { get; init; }
}
