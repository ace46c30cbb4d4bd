using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using FlipGuard.Core;
using FlipGuard.Faults.Encodings;
using YamlDotNet.RepresentationModel;

namespace FlipGuard.Studies;

/// <summary>
/// One mapping of a study file (the whole file, <c>training</c>, one recipe, one analysis) with typed getters whose
/// errors name the file, the line and the key, so a typo in a long study file costs one line of reading. Keys that
/// nobody asked for are reported by <see cref="RejectUnknown"/> instead of being silently ignored. As an
/// <see cref="ISettingSource"/> it gives a catalogue's settings (a regulariser's <c>lambda</c>) under their keys.
/// </summary>
public sealed class StudySection : ISettingSource
{
    private readonly YamlMappingNode node;
    private readonly HashSet<string> used = new(StringComparer.Ordinal);

    internal StudySection(YamlMappingNode node, string source, string path)
    {
        (this.node, Source, Path) = (node, source, path);
    }

    /// <summary>File name used in messages.</summary>
    public string Source { get; }
    /// <summary>Dotted path of this mapping inside the file ("" for the top level).</summary>
    public string Path { get; }
    /// <summary>1-based line where the mapping starts.</summary>
    public long Line => node.Start.Line;

    /// <summary>An empty section (an analysis given as <c>sweep: {}</c> or with no body).</summary>
    public static StudySection Empty(string source, string path) => new(new YamlMappingNode(), source, path);

    /// <summary>Keys present in the mapping, in file order.</summary>
    public IEnumerable<string> Keys => node.Children.Keys.Select(k => ((YamlScalarNode)k).Value ?? "");

    /// <summary>Whether <paramref name="key"/> is present.</summary>
    public bool Has(string key) => Find(key) is not null;

    /// <summary>A string value, or <paramref name="fallback"/> when absent.</summary>
    public string String(string key, string fallback) => OptionalString(key) ?? fallback;

    /// <summary>A string value, or null when absent.</summary>
    public string? OptionalString(string key) => Find(key) switch
    {
        null => null,
        YamlScalarNode s => s.Value ?? "",
        var other => throw Error(other, $"{Name(key)} must be a single value"),
    };

    /// <summary>An integer value.</summary>
    public int Int(string key, int fallback) => OptionalString(key) is { } s
        ? int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : throw Error(Find(key)!, $"{Name(key)} must be an integer, got '{s}'")
        : fallback;

    /// <summary>A floating-point value.</summary>
    public double Double(string key, double fallback) => OptionalString(key) is { } s
        ? double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) ? v : throw Error(Find(key)!, $"{Name(key)} must be a number, got '{s}'")
        : fallback;

    /// <summary>A boolean value (true/false).</summary>
    public bool Bool(string key, bool fallback) => OptionalString(key) is { } s
        ? s switch { "true" or "yes" => true, "false" or "no" => false, _ => throw Error(Find(key)!, $"{Name(key)} must be true or false, got '{s}'") }
        : fallback;

    /// <summary>
    /// The weight encoding an analysis names: <c>encoding: NAME</c> (one of <see cref="WeightEncodings.All"/>) or the
    /// flag key it had before encodings existed (<paramref name="flagKey"/>: true means <paramref name="flagEncoding"/>).
    /// </summary>
    /// <exception cref="FlipGuardException">An unknown name, or the flag and the name disagree.</exception>
    public IWeightEncoding Encoding(string flagKey, IWeightEncoding flagEncoding, IWeightEncoding fallback)
    {
        IWeightEncoding? named = null;
        if (OptionalString("encoding") is { } name)
        {
            try { named = WeightEncodings.Parse(name); }
            catch (FlipGuardException e) { throw Error(Find("encoding")!, $"{Name("encoding")}: {e.Message}"); }
        }
        if (!Bool(flagKey, false)) return named ?? fallback;
        if (named is not null && named != flagEncoding)
            throw Error(Find(flagKey)!, $"{Name(flagKey)} means encoding {flagEncoding.Name}, but {Name("encoding")} is {named.Name}");
        return flagEncoding;
    }

    /// <summary>The value of <paramref name="setting"/> under its key, read with the getter of its type, if present.</summary>
    /// <exception cref="FlipGuardException">The value is not of the setting's type.</exception>
    public bool TryGet<T>(Setting<T> setting, [MaybeNullWhen(false)] out T value)
    {
        value = default;
        if (!Has(setting.Key)) return false;
        object read = typeof(T) == typeof(int) ? Int(setting.Key, 0)
            : typeof(T) == typeof(double) ? Double(setting.Key, 0)
            : typeof(T) == typeof(bool) ? Bool(setting.Key, false)
            : typeof(T) == typeof(string) ? String(setting.Key, "")
            : throw new NotSupportedException($"a study file has no {typeof(T).Name} values (setting {setting.Key})");
        if (setting.Range is { } range && read is int or double && !range.Contains(Convert.ToDouble(read, System.Globalization.CultureInfo.InvariantCulture)))
            throw Error(Find(setting.Key)!, $"{Name(setting.Key)} must be {range.Describe()}, got {Convert.ToString(read, System.Globalization.CultureInfo.InvariantCulture)}");
        value = (T)read;
        return true;
    }

    /// <summary>Whether <paramref name="key"/> holds one plain value rather than a list or mapping.</summary>
    public bool IsScalar(string key) => Find(key) is YamlScalarNode;

    /// <summary>A list of strings, written as a YAML list or one comma-separated value.</summary>
    public IReadOnlyList<string>? Strings(string key) => Find(key) switch
    {
        null => null,
        YamlScalarNode s => (s.Value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        YamlSequenceNode seq => seq.Children.Select(c => c is YamlScalarNode s ? s.Value ?? "" : throw Error(c, $"{Name(key)} must list plain values")).ToList(),
        var other => throw Error(other, $"{Name(key)} must be a list"),
    };

    /// <summary>A nested mapping, or null when absent (an empty value counts as an empty mapping).</summary>
    public StudySection? Section(string key) => Find(key) switch
    {
        null => null,
        YamlMappingNode m => new StudySection(m, Source, Name(key)),
        YamlScalarNode { Value: null or "" } => Empty(Source, Name(key)),
        var other => throw Error(other, $"{Name(key)} must be a mapping (key: value lines)"),
    };

    /// <summary>A list of mappings (e.g. the recipes), or null when absent.</summary>
    public IReadOnlyList<StudySection>? Sections(string key) => Find(key) switch
    {
        null => null,
        YamlSequenceNode seq => seq.Children.Select((c, i) => c is YamlMappingNode m ? new StudySection(m, Source, $"{Name(key)}[{i}]")
            : throw Error(c, $"{Name(key)}[{i}] must be a mapping (key: value lines)")).ToList(),
        var other => throw Error(other, $"{Name(key)} must be a list of mappings"),
    };

    /// <summary>Throws for the first key no getter has asked for (a typo, or an option of another analysis).</summary>
    /// <exception cref="FlipGuardException">An unknown key is present.</exception>
    public void RejectUnknown(IEnumerable<string> known)
    {
        foreach (var (k, _) in node.Children)
        {
            string name = ((YamlScalarNode)k).Value ?? "";
            if (!used.Contains(name))
                throw Error(k, $"unknown key {Name(name)} (known here: {string.Join(", ", known)})");
        }
    }

    /// <summary>A one-line error pointing at this section.</summary>
    public FlipGuardException Error(string message) => Error(node, message);

    /// <summary>A one-line error pointing at <paramref name="key"/> when present, else at this section.</summary>
    public FlipGuardException Error(string key, string message) =>
        Error(node.Children.Keys.FirstOrDefault(k => k is YamlScalarNode { Value: var v } && v == key) ?? node, message);

    private YamlNode? Find(string key)
    {
        used.Add(key);
        return node.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null;
    }

    private string Name(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    private FlipGuardException Error(YamlNode at, string message) => new($"{Source}:{at.Start.Line}: {message}");
}
