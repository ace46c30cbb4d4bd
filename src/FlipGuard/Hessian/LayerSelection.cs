using FlipGuard.Core;
using static TorchSharp.torch;
using TorchSharp.Modules;

namespace FlipGuard.Hessian;

/// <summary>
/// Which layers a Hessian computation (or a regulariser) sees: <c>all</c>, the <c>last:N</c> layers, a fresh
/// seeded <c>sample:K</c> of layers, or a comma-separated list of layer names. Restricting the Hessian to a
/// few layers is how Hessian-aware training scales to larger models.
/// </summary>
public sealed record LayerSelection(string Kind, int Count, IReadOnlyList<string> Names)
{
    /// <summary>Every trainable parameter.</summary>
    public static LayerSelection All { get; } = new("all", 0, []);

    /// <summary>Parses <c>all</c>, <c>last:N</c>, <c>sample:K</c> or <c>name,name,…</c>.</summary>
    /// <exception cref="FlipGuardException">Malformed text.</exception>
    public static LayerSelection Parse(string text)
    {
        text = text.Trim();
        if (text == "all") return All;
        foreach (string kind in new[] { "last", "sample" })
        {
            if (!text.StartsWith(kind + ":", StringComparison.Ordinal)) continue;
            if (!int.TryParse(text.AsSpan(kind.Length + 1), out int n) || n < 1)
                throw new FlipGuardException($"layer selection '{text}': {kind}:N needs a whole number N ≥ 1");
            return new LayerSelection(kind, n, []);
        }
        var names = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0) throw new FlipGuardException("layer selection is empty; use all, last:N, sample:K or layer names");
        return new LayerSelection("names", names.Length, names);
    }

    /// <summary>
    /// The trainable parameters of the selected layers, in model order. <paramref name="seed"/> drives
    /// <c>sample:K</c> (a training step passes a different seed each time to resample).
    /// </summary>
    /// <exception cref="FlipGuardException">A named layer does not exist.</exception>
    public IReadOnlyList<ParameterBlock> Select(nn.Module model, long seed = 0)
    {
        var blocks = model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => new ParameterBlock(p.name, p.parameter)).ToList();
        var layers = blocks.Select(b => b.Layer).Distinct().ToList();
        IEnumerable<string> chosen = Kind switch
        {
            "all" => layers,
            "last" => layers.Skip(Math.Max(0, layers.Count - Count)),
            "sample" => SampleLayers(layers, Math.Min(Count, layers.Count), seed),
            _ => Names,
        };
        var set = chosen.ToHashSet();
        foreach (string n in set)
            if (!layers.Contains(n)) throw new FlipGuardException($"no layer named '{n}'; layers are: {string.Join(", ", layers)}");
        return blocks.Where(b => set.Contains(b.Layer)).ToList();
    }

    private static IEnumerable<string> SampleLayers(List<string> layers, int k, long seed)
    {
        var rng = new Random(unchecked((int)(seed ^ (seed >> 32))));
        return layers.OrderBy(_ => rng.Next()).Take(k).ToList();
    }

    /// <inheritdoc />
    public override string ToString() => Kind switch { "all" => "all", "names" => string.Join(",", Names), _ => $"{Kind}:{Count}" };
}

/// <summary>One named parameter tensor that a Hessian computation ranges over.</summary>
public sealed record ParameterBlock(string Name, Parameter Parameter)
{
    /// <summary>The layer the parameter belongs to: its name without the last segment (<c>fc1.weight</c> → <c>fc1</c>).</summary>
    public string Layer => Name.Contains('.') ? Name[..Name.LastIndexOf('.')] : Name;

    /// <summary>Number of scalar entries.</summary>
    public long Size => Parameter.numel();
}
