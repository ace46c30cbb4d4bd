namespace FlipGuard.Core;

/// <summary>
/// Something a user picks by name from a <see cref="Catalog{TEntry}"/> — a regulariser, a defense — with the settings
/// it reads. The name, the help phrase and the settings are everything the command line and a study file need to
/// offer it, so neither keeps its own list.
/// </summary>
public interface ICatalogEntry
{
    /// <summary>The name users write (<c>trace</c>, <c>hessian-ecc</c>).</summary>
    string Name { get; }

    /// <summary>A few words after the name in a help text (<c>sharpness-aware baseline</c>), or null for none.</summary>
    string? Summary { get; }

    /// <summary>The settings the entry reads, in help order.</summary>
    IReadOnlyList<Setting> Settings { get; }

    /// <summary>The entry with <paramref name="settings"/> in a report's words (<c>HAT trace λ=0.01, layers sample:1 every 4 steps</c>).</summary>
    /// <exception cref="FlipGuardException">A setting cannot be read.</exception>
    string Describe(SettingValues settings);
}

/// <summary>
/// A catalogue entry with its own settings record: it reads the record from the values once, and builds and
/// describes from the record, so its settings are typed and named in one place.
/// </summary>
/// <typeparam name="TSettings">The entry's settings record.</typeparam>
public abstract class CatalogEntry<TSettings> : ICatalogEntry
{
    /// <inheritdoc />
    public abstract string Name { get; }

    /// <inheritdoc />
    public abstract string? Summary { get; }

    /// <inheritdoc />
    public abstract IReadOnlyList<Setting> Settings { get; }

    /// <summary>The record of <paramref name="settings"/> (defaults for settings not given).</summary>
    /// <exception cref="FlipGuardException">A setting cannot be read (a malformed list).</exception>
    public abstract TSettings Read(SettingValues settings);

    /// <summary>The report's words for <paramref name="settings"/>.</summary>
    public abstract string Describe(TSettings settings);

    /// <inheritdoc />
    public string Describe(SettingValues settings) => Describe(Read(settings));
}

/// <summary>
/// The entries of one extension point, in help order: adding a regulariser or a defense is its file and one line
/// in its catalogue. Offers what every front end derives from the list — the names, the help phrase, the union of
/// the settings — so those cannot drift apart.
/// </summary>
/// <typeparam name="TEntry">The kind of entry.</typeparam>
public sealed class Catalog<TEntry> where TEntry : class, ICatalogEntry
{
    /// <summary>Lists the entries.</summary>
    /// <exception cref="ArgumentException">Two entries share a name, or two settings share a key with different value types (a programming error).</exception>
    public Catalog(IReadOnlyList<TEntry> entries)
    {
        if (entries.Select(e => e.Name).Distinct(StringComparer.Ordinal).Count() != entries.Count)
            throw new ArgumentException("two catalogue entries share a name", nameof(entries));
        Entries = entries;
        Names = entries.Select(e => e.Name).ToArray();
        Settings = entries.SelectMany(e => e.Settings).Distinct(ReferenceEqualityComparer.Instance).Cast<Setting>().ToArray();
        foreach (var clash in Settings.GroupBy(s => s.Key).Where(g => g.Select(s => s.GetType()).Distinct().Count() > 1))
            throw new ArgumentException($"settings named '{clash.Key}' have different value types", nameof(entries));
    }

    /// <summary>The entries, in help order.</summary>
    public IReadOnlyList<TEntry> Entries { get; }

    /// <summary>Their names, in the same order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Every entry's settings, each once, in entry order (two may share a key: one option then feeds both).</summary>
    public IReadOnlyList<Setting> Settings { get; }

    /// <summary>The names as a sentence part: <c>none, trace, top-eig or sam</c>.</summary>
    public string NameList => OrList(Names);

    /// <summary>The names with their summaries: <c>none, trace (Hessian-aware: …) … or sam (sharpness-aware baseline)</c>.</summary>
    public string Help => OrList(Entries.Select(e => e.Summary is { } s ? $"{e.Name} ({s})" : e.Name).ToArray());

    /// <summary>The entry named <paramref name="name"/>, or null.</summary>
    public TEntry? Find(string name) => Entries.FirstOrDefault(e => e.Name == name);

    private static string OrList(IReadOnlyList<string> items) =>
        items.Count < 2 ? string.Join("", items) : string.Join(", ", items.Take(items.Count - 1)) + " or " + items[^1];
}
