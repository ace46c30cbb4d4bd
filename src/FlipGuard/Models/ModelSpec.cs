using System.Text.Json.Serialization;
using FlipGuard.Core;
using FlipGuard.Models.Described;
using FlipGuard.Models.Zoo;

namespace FlipGuard.Models;

/// <summary>
/// Everything needed to rebuild an architecture exactly: its zoo name (or, for a user-described architecture, the
/// description itself) and the input and output sizes. A checkpoint stores it so that loading can refuse weights
/// meant for another shape, and so that every command rebuilds a described model without the original file.
/// </summary>
public sealed record ModelSpec(string Architecture, int Channels, int Height, int Width, int Classes)
{
    /// <summary>The layer description when the architecture is not a built-in one; null for zoo models.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ArchitectureDescription? Description { get; init; }

    /// <summary>A spec for a described architecture, named after it; the description is checked against the shape.</summary>
    /// <exception cref="FlipGuardException">The name clashes with a built-in model or the layers do not fit the shape.</exception>
    public static ModelSpec Described(ArchitectureDescription description, int channels, int height, int width, int classes)
    {
        if (ModelZoo.Architectures.Any(a => a.Name == description.Name))
            throw new FlipGuardException($"architecture '{description.Name}': the name is taken by a built-in model; choose another");
        var spec = new ModelSpec(description.Name, channels, height, width, classes) { Description = description };
        spec.Create().Dispose();
        return spec;
    }

    /// <summary>Builds the model with initial weights drawn from <paramref name="seed"/>.</summary>
    public TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> Create(long seed = 0) => Description is null
        ? ModelZoo.Create(Architecture, Channels, Height, Width, Classes, seed)
        : ModelZoo.Create(Description, Channels, Height, Width, Classes, seed);

    /// <inheritdoc />
    public override string ToString() => $"{Architecture}{(Description is null ? "" : " (described)")} ({Channels}×{Height}×{Width} → {Classes})";
}
