using System.CommandLine;
using System.Diagnostics.CodeAnalysis;
using FlipGuard.Core;

namespace FlipGuard.Cli;

/// <summary>
/// The command-line options of a catalogue's settings (a regulariser's <c>--lambda</c>, a defense's <c>--group-size</c>):
/// one typed <c>--KEY</c> per distinct key, with the setting's help text, its default (shown in the help unless it is
/// false or empty) and its choices, and the values a parse gave them. Commands list no regulariser or defense option
/// of their own, so a new one appears on the command line without touching them.
/// </summary>
public sealed class SettingOptions
{
    private readonly Dictionary<string, Option> byKey = new(StringComparer.Ordinal);

    /// <summary>Builds the options of <paramref name="settings"/> (settings sharing a key share the option of the first).</summary>
    public SettingOptions(IEnumerable<Setting> settings)
    {
        var all = new List<Option>();
        foreach (var s in settings)
            if (!byKey.ContainsKey(s.Key)) all.Add(byKey[s.Key] = s.Accept(new OptionMaker()));
        All = all;
    }

    /// <summary>The options, in the settings' order, for adding to a command.</summary>
    public IReadOnlyList<Option> All { get; }

    /// <summary>The option that gives <paramref name="setting"/>.</summary>
    public Option<T> Of<T>(Setting<T> setting) => (Option<T>)byKey[setting.Key];

    /// <summary>The values <paramref name="parse"/> gives every setting (its default when the option is absent).</summary>
    public ISettingSource From(ParseResult parse) => new ParsedValues(this, parse);

    /// <summary>
    /// Refuses a setting given on the command line that <paramref name="chosen"/> does not read (<c>--reg sam --lambda 0.1</c>):
    /// the value would be recorded in the recipe while nothing used it.
    /// </summary>
    /// <param name="parse">The parsed command line.</param>
    /// <param name="chosen">The settings the chosen entry reads.</param>
    /// <param name="choice">How the choice was made, for the message (<c>--reg sam</c>).</param>
    /// <exception cref="FlipGuardException">A setting was given that the choice ignores.</exception>
    public void RefuseUnused(ParseResult parse, IEnumerable<Setting> chosen, string choice)
    {
        var used = chosen.Select(s => s.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var (key, option) in byKey)
            if (!used.Contains(key) && parse.GetResult(option) is { Implicit: false })
                throw new FlipGuardException($"{option.Name} has no effect with {choice}; leave it out or choose an entry that reads it");
    }

    private sealed class OptionMaker : ISettingVisitor<Option>
    {
        public Option Visit<T>(Setting<T> setting)
        {
            var option = new Option<T>("--" + setting.Key) { Description = setting.Description };
            if (setting.Default is not (null or false)) option.DefaultValueFactory = _ => setting.Default;
            if (setting.Choices is { } choices) option.AcceptOnlyFromAmong([.. choices]);
            if (setting.Range is { } range) WithRange(option, range);
            return option;
        }
    }

    private static void WithRange<T>(Option<T> option, NumericRange range)
    {
        switch (option)
        {
            case Option<int> i: i.Within(range); break;
            case Option<long> l: l.Within(range); break;
            case Option<double> d: d.Within(range); break;
            case Option<int?> ni: ni.Within(range); break;
            case Option<double?> nd: nd.Within(range); break;
            default: throw new ArgumentException($"--{option.Name}: a range on a {typeof(T).Name} setting");
        }
    }

    private sealed class ParsedValues(SettingOptions options, ParseResult parse) : ISettingSource
    {
        public bool TryGet<T>(Setting<T> setting, [MaybeNullWhen(false)] out T value)
        {
            value = parse.GetValue(options.Of(setting))!;
            return true;
        }
    }
}
