using System.CommandLine;
using System.Globalization;
using FlipGuard.Cli;

namespace FlipGuard.Tests.Cli;

/// <summary>
/// Every numeric option of every command declares its range, and its extremes — one step beyond each bound, NaN,
/// infinities, values that overflow the type, text — are parse errors naming the option, while the bounds themselves
/// parse (issue 21). Every option with a fixed list of values refuses one that is not on it. Parsing is the whole
/// check: a value refused here never reaches a command's action (see <see cref="CommandRunner"/>, which turns parse
/// errors into one line and exit code 2; <see cref="HostileCommandLineTests"/> runs that through real processes).
/// </summary>
public class OptionRangeTests
{
    private static readonly Type[] NumericTypes = [typeof(int), typeof(long), typeof(double), typeof(float), typeof(int?), typeof(long?), typeof(double?)];

    public static IEnumerable<(string[] Path, Command Command)> Commands(Command c, string[] path)
    {
        yield return (path, c);
        foreach (var sub in c.Subcommands)
            foreach (var x in Commands(sub, [.. path, sub.Name]))
                yield return x;
    }

    public static IEnumerable<(string[] Path, Command Command, Option Option)> Options() =>
        Commands(CliApp.CreateRoot(), []).SelectMany(c => c.Command.Options.Where(o => !o.Hidden && o.Name != "--help" && o.Name != "--version").Select(o => (c.Path, c.Command, o)));

    /// <summary>The command path, one placeholder per positional argument, then the option and its value.</summary>
    private static ParseResult Parse(string[] path, Command command, Option option, string value)
    {
        var args = new List<string>(path);
        foreach (var a in command.Arguments) args.Add("x.fgc");
        args.Add(option.Name);
        args.Add(value);
        return CliApp.CreateRoot().Parse(args);
    }

    private static IEnumerable<string> ErrorsAbout(ParseResult p, Option option) =>
        p.Errors.Where(e => e.SymbolResult is System.CommandLine.Parsing.OptionResult r && r.Option.Name == option.Name).Select(e => e.Message)
            .Concat(p.Errors.Where(e => e.Message.Contains(option.Name, StringComparison.Ordinal) || e.Message.Contains("Cannot parse", StringComparison.Ordinal)).Select(e => e.Message));

    [Fact]
    public void EveryNumericOptionDeclaresItsRange()
    {
        var missing = Options().Where(o => NumericTypes.Contains(o.Option.ValueType) && OptionRanges.Of(o.Option) is null)
            .Select(o => string.Join(" ", o.Path) + " " + o.Option.Name).Distinct().ToList();
        Assert.True(missing.Count == 0, "numeric options without a declared range: " + string.Join(", ", missing));
    }

    [Fact]
    public void ValuesBeyondEachRangeAreParseErrorsAndTheBoundsParse()
    {
        var failures = new List<string>();
        int checkedOptions = 0;
        foreach (var (path, command, option) in Options())
        {
            if (OptionRanges.Of(option) is not { } range) continue;
            checkedOptions++;
            Type t = Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType;
            bool integral = t == typeof(int) || t == typeof(long);
            double typeMin = t == typeof(int) ? int.MinValue : t == typeof(long) ? long.MinValue : double.NegativeInfinity;
            double typeMax = t == typeof(int) ? int.MaxValue : t == typeof(long) ? long.MaxValue : double.PositiveInfinity;
            var bad = new List<string> { "abc", "", "1e999", "-1e999" };
            if (integral) bad.AddRange(["99999999999999999999999", "-99999999999999999999999", "1.5"]);
            else bad.AddRange(["NaN", "-Infinity", "Infinity", "∞"]);
            if (range.Min > typeMin) bad.Add(Text(range.MinExclusive ? range.Min : integral ? range.Min - 1 : Below(range.Min)));
            if (range.Max < typeMax) bad.Add(Text(range.MaxExclusive ? range.Max : integral ? range.Max + 1 : Above(range.Max)));
            var good = new List<string>
            {
                Text(range.MinExclusive ? (integral ? range.Min + 1 : Above(range.Min)) : range.Min),
                Text(range.MaxExclusive ? (integral ? range.Max - 1 : Below(range.Max)) : range.Max),
            };
            if (range.Max == double.PositiveInfinity) good[1] = "1000000";
            if (integral && range.Min == long.MinValue) good[0] = long.MinValue.ToString(CultureInfo.InvariantCulture);
            if (integral && range.Max == long.MaxValue) good[1] = long.MaxValue.ToString(CultureInfo.InvariantCulture);
            string where = $"{string.Join(" ", path)} {option.Name}";
            foreach (string v in bad)
                if (!ErrorsAbout(Parse(path, command, option, v), option).Any()) failures.Add($"{where} {v}: accepted");
            foreach (string v in good)
                if (ErrorsAbout(Parse(path, command, option, v), option).FirstOrDefault() is { } e) failures.Add($"{where} {v}: refused ({e})");
        }
        Assert.True(checkedOptions > 40, $"only {checkedOptions} ranged options found");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void EveryOptionWithAFixedListRefusesAValueNotOnIt()
    {
        var failures = new List<string>();
        int lists = 0;
        foreach (var (path, command, option) in Options())
        {
            if (option.ValueType != typeof(string)) continue;
            var choices = option.GetCompletions(System.CommandLine.Completions.CompletionContext.Empty).Select(c => c.Label).ToList();
            if (choices.Count == 0) continue;
            lists++;
            string where = $"{string.Join(" ", path)} {option.Name}";
            if (Parse(path, command, option, "no-such-choice").Errors.Count(e => e.Message.Contains("no-such-choice", StringComparison.Ordinal)) == 0)
                failures.Add($"{where}: accepted no-such-choice");
            foreach (string c in choices)
                if (ErrorsAbout(Parse(path, command, option, c), option).FirstOrDefault() is { } e) failures.Add($"{where} {c}: refused ({e})");
        }
        Assert.True(lists > 5, $"only {lists} options with a fixed list found");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static double Below(double v) => v == 0 ? -1e-9 : v - Math.Abs(v) * 1e-6;
    private static double Above(double v) => v == 0 ? 1e-9 : v + Math.Abs(v) * 1e-6;
    private static string Text(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
