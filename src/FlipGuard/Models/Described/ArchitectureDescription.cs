using System.Text.Json;
using System.Text.Json.Serialization;
using FlipGuard.Core;

namespace FlipGuard.Models.Described;

/// <summary>
/// A user-described architecture: a named stack of layers (conv, linear, ReLU, pooling, batch norm, flatten,
/// residual blocks). It lets FlipGuard analyse models it does not ship: the description travels in the checkpoint
/// header (inside <see cref="ModelSpec"/>), so every command rebuilds exactly the same network.
/// </summary>
public sealed record ArchitectureDescription
{
    /// <summary>The architecture's name, shown in tables and stored as <see cref="ModelSpec.Architecture"/>.</summary>
    public string Name { get; init; } = "";

    /// <summary>The layers, applied in order.</summary>
    public IReadOnlyList<LayerDescription> Layers { get; init; } = [];

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = false,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    private static readonly JsonSerializerOptions Indented = new(Options) { WriteIndented = true };

    /// <summary>Parses a description from JSON text; <paramref name="source"/> names it in error messages.</summary>
    /// <exception cref="FlipGuardException">Not valid JSON, or unknown fields.</exception>
    public static ArchitectureDescription Parse(string json, string source)
    {
        ArchitectureDescription? d;
        try { d = JsonSerializer.Deserialize<ArchitectureDescription>(json, Options); }
        catch (JsonException e) { throw new FlipGuardException($"{source}: not a valid architecture description ({e.Message.Split('\n')[0]})"); }
        if (d is null || d.Layers is null) throw new FlipGuardException($"{source}: the architecture description is empty");
        return d;
    }

    /// <summary>Reads and parses a JSON description file.</summary>
    /// <exception cref="FlipGuardException">Missing file or invalid description.</exception>
    public static ArchitectureDescription Load(string path)
    {
        if (!File.Exists(path)) throw new FlipGuardException($"{path}: architecture file not found");
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>The description as JSON (indented for people, compact for comparisons).</summary>
    public string ToJson(bool indented = true) => JsonSerializer.Serialize(this, indented ? Indented : Options);

    /// <summary>Two descriptions are equal when they serialise to the same JSON (value equality through the layer lists).</summary>
    public bool Equals(ArchitectureDescription? other) => other is not null && ToJson(false) == other.ToJson(false);

    /// <inheritdoc />
    public override int GetHashCode() => ToJson(false).GetHashCode(StringComparison.Ordinal);
}
