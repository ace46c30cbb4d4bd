using FlipGuard.Core;

namespace FlipGuard.Faults.Targets;

/// <summary>
/// Which parameter entries a sweep flips: <c>all</c> flippable tensors, <c>weights</c> (tensors named
/// <c>*.weight</c> with ≥ 2 dimensions), <c>layer:NAME[,NAME]</c> (every tensor of the named layers), each
/// optionally followed by <c>/sample:N</c> — or <c>sample:N</c> alone, meaning <c>all/sample:N</c>. A sample is
/// N entries drawn uniformly without replacement across the chosen tensors (reproducible from the seed), which
/// is how large models are swept: the totals over the whole selection are then estimated with confidence intervals.
/// </summary>
public sealed class ParameterSelection
{
    private ParameterSelection(string scope, IReadOnlyList<string> layers, long sample) => (Scope, Layers, SampleSize) = (scope, layers, sample);

    /// <summary>Every flippable tensor, every entry.</summary>
    public static ParameterSelection All { get; } = new("all", [], 0);

    /// <summary><c>all</c>, <c>weights</c> or <c>layer</c>.</summary>
    public string Scope { get; }
    /// <summary>The layer names of a <c>layer:</c> selection.</summary>
    public IReadOnlyList<string> Layers { get; }
    /// <summary>Entries to sample (0 = every entry of the chosen tensors).</summary>
    public long SampleSize { get; }

    /// <summary>Canonical text, e.g. <c>weights/sample:1000</c>; equal selections print equally.</summary>
    public string Canonical
    {
        get
        {
            string scope = Scope == "layer" ? "layer:" + string.Join(",", Layers) : Scope;
            return SampleSize > 0 ? $"{scope}/sample:{SampleSize}" : scope;
        }
    }

    /// <summary>Parses the <c>--params</c> text.</summary>
    /// <exception cref="FlipGuardException">Malformed text.</exception>
    public static ParameterSelection Parse(string text)
    {
        const string help = "use all, weights, layer:NAME[,NAME] or sample:N, optionally as SCOPE/sample:N";
        string t = text.Trim();
        if (t.StartsWith("sample:", StringComparison.Ordinal)) t = "all/" + t;
        string[] parts = t.Split('/', StringSplitOptions.TrimEntries);
        if (parts.Length > 2) throw new FlipGuardException($"--params {text}: {help}");
        long sample = 0;
        if (parts.Length == 2)
        {
            if (!parts[1].StartsWith("sample:", StringComparison.Ordinal) || !long.TryParse(parts[1].AsSpan(7), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out sample) || sample < 1)
                throw new FlipGuardException($"--params {text}: sample:N needs a whole number N ≥ 1; {help}");
        }
        string scope = parts[0];
        if (scope is "all" or "weights") return new ParameterSelection(scope, [], sample);
        if (scope.StartsWith("layer:", StringComparison.Ordinal))
        {
            var names = scope[6..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToArray();
            if (names.Length == 0) throw new FlipGuardException($"--params {text}: layer: needs at least one layer name");
            return new ParameterSelection("layer", names, sample);
        }
        throw new FlipGuardException($"--params {text}: {help}");
    }

    /// <summary>Indices into <paramref name="target"/>'s tensors that the scope chooses, in model order.</summary>
    /// <exception cref="FlipGuardException">A named layer has no flippable tensor, or nothing is chosen.</exception>
    public IReadOnlyList<int> ChooseTensors(FlipTarget target)
    {
        var tensors = target.Tensors;
        foreach (string layer in Layers)
            if (!tensors.Any(t => t.Layer == layer))
                throw new FlipGuardException($"--params: no flippable layer named '{layer}'; layers are: {string.Join(", ", tensors.Select(t => t.Layer).Distinct())}");
        var chosen = Enumerable.Range(0, tensors.Count).Where(i => Scope switch
        {
            "weights" => tensors[i].Kind == TensorKind.Weight,
            "layer" => Layers.Contains(tensors[i].Layer),
            _ => true,
        }).ToList();
        if (chosen.Count == 0) throw new FlipGuardException($"--params {Canonical}: selects no flippable tensor");
        return chosen;
    }

    /// <summary>
    /// <paramref name="count"/> distinct positions in [0, <paramref name="population"/>), ascending, drawn uniformly
    /// without replacement by selection sampling (Knuth's algorithm S) from a SplitMix64 stream of <paramref name="seed"/>:
    /// one pass, no hash set, and the same positions on every platform.
    /// </summary>
    public static long[] Sample(long population, long count, ulong seed)
    {
        if (count >= population) return Enumerable.Range(0, checked((int)population)).Select(i => (long)i).ToArray();
        var rng = SplitMixStream(seed);
        var picked = new long[count];
        long taken = 0;
        for (long i = 0; i < population && taken < count; i++)
        {
            double u = (rng.NextUInt64() >> 11) * (1.0 / (1UL << 53));
            if ((population - i) * u < count - taken) picked[taken++] = i;
        }
        return picked;
    }

    private static SplitMix64 SplitMixStream(ulong seed) => SplitMix64.ForStream(seed, 0x5EEDF11Bu);

    /// <inheritdoc />
    public override string ToString() => Canonical;
}
