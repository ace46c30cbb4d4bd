using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;

namespace FlipGuard.Core;

/// <summary>
/// Values given for <see cref="Setting"/>s; a setting not given has its default. Immutable and compared by value,
/// so a recipe or a defense choice holding it stays a value too. A value equal to the default is not stored: giving
/// the default and giving nothing are the same thing. Keyed by the setting itself, not its key, so two settings that
/// share a command-line spelling (ecc's and hessian-ecc's <c>protect</c>) can still be told apart.
/// </summary>
public sealed class SettingValues : ISettingSource, IEquatable<SettingValues>
{
    private readonly ImmutableDictionary<Setting, object?> values;

    private SettingValues(ImmutableDictionary<Setting, object?> values) => this.values = values;

    /// <summary>No value given: every setting has its default.</summary>
    public static SettingValues Empty { get; } = new(ImmutableDictionary.Create<Setting, object?>(ReferenceEqualityComparer.Instance));

    /// <summary>The value of <paramref name="setting"/>: the one given, or its default.</summary>
    public T Get<T>(Setting<T> setting) => values.TryGetValue(setting, out object? v) ? (T)v! : setting.Default;

    /// <summary>These values with <paramref name="setting"/> set to <paramref name="value"/>.</summary>
    public SettingValues With<T>(Setting<T> setting, T value) =>
        new(EqualityComparer<T>.Default.Equals(value, setting.Default) ? values.Remove(setting) : values.SetItem(setting, value));

    /// <summary>These values with every one of <paramref name="settings"/> that <paramref name="source"/> gives set to what it gives.</summary>
    /// <exception cref="FlipGuardException">The source holds a value of the wrong type.</exception>
    public SettingValues Read(IEnumerable<Setting> settings, ISettingSource source)
    {
        var reader = new Reader(this, source);
        foreach (var s in settings) s.Accept(reader);
        return reader.Values;
    }

    /// <inheritdoc />
    public bool TryGet<T>(Setting<T> setting, [MaybeNullWhen(false)] out T value)
    {
        bool given = values.TryGetValue(setting, out object? v);
        value = given ? (T)v! : default;
        return given;
    }

    /// <inheritdoc />
    public bool Equals(SettingValues? other) =>
        other is not null && other.values.Count == values.Count && values.All(p => other.values.TryGetValue(p.Key, out object? v) && Equals(v, p.Value));

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as SettingValues);

    /// <inheritdoc />
    public override int GetHashCode() => values.Aggregate(0, (h, p) => h ^ HashCode.Combine(p.Key.Key, p.Value));

    /// <inheritdoc />
    public override string ToString() => "{" + string.Join(", ", values.OrderBy(p => p.Key.Key, StringComparer.Ordinal).Select(p => $"{p.Key.Key}={p.Value}")) + "}";

    private sealed class Reader(SettingValues start, ISettingSource source) : ISettingVisitor<bool>
    {
        public SettingValues Values { get; private set; } = start;

        public bool Visit<T>(Setting<T> setting)
        {
            if (!source.TryGet(setting, out T? v)) return false;
            Values = Values.With(setting, v);
            return true;
        }
    }
}
