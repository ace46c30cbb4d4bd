using System.CommandLine;
using System.Globalization;
using FlipGuard.Core;
using FlipGuard.Faults.Targets;
using FlipGuard.Injection;

namespace FlipGuard.Cli;

/// <summary>The fault injection's own options (rates or counts, trials), defined once for <c>inject</c> and <c>defend --run inject</c>.</summary>
public sealed class InjectArguments
{
    private const string DefaultRates = "1e-9,1e-8,1e-7,1e-6,1e-5,1e-4,1e-3";

    /// <summary><c>--ber</c>.</summary>
    public Option<string?> Ber { get; } = new("--ber") { Description = $"Bit-error rates, comma-separated: every selected bit flips independently with that probability (default {DefaultRates})." };
    /// <summary><c>--flips</c>.</summary>
    public Option<string?> Flips { get; } = new("--flips") { Description = "Instead of rates: numbers of bits, comma-separated; each trial flips exactly that many distinct random bits." };
    /// <summary><c>--trials</c>.</summary>
    public Option<int> Trials { get; } = new Option<int>("--trials") { Description = "Seeded trials per rate or count.", DefaultValueFactory = _ => 100 }.Within(NumericRange.UpTo(1_000_000));

    /// <summary>Every option, to add to a command.</summary>
    public IEnumerable<Option> All => [Ber, Flips, Trials];

    /// <summary>The injection options the command line gives, checked.</summary>
    /// <exception cref="FlipGuardException">A bad option or combination.</exception>
    public InjectionOptions Build(ParseResult parse, BitSelection bits, ulong seed, bool resume, int chunk)
    {
        string? berText = parse.GetValue(Ber), flipsText = parse.GetValue(Flips);
        if (berText is not null && flipsText is not null) throw new FlipGuardException("give either --ber or --flips, not both");
        var mode = flipsText is null ? InjectionMode.BitErrorRate : InjectionMode.FixedCount;
        var levels = mode == InjectionMode.BitErrorRate ? ParseList(berText ?? DefaultRates, "--ber") : ParseList(flipsText!, "--flips");
        var options = new InjectionOptions(mode, levels, bits) { Trials = parse.GetValue(Trials), Seed = seed, Resume = resume, Chunk = chunk };
        RandomFaultInjection.Validate(options);
        return options;
    }

    private static double[] ParseList(string text, string flag)
    {
        var values = new List<double>();
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
                throw new FlipGuardException($"{flag} {text}: '{part}' is not a number");
            values.Add(v);
        }
        if (values.Distinct().Count() != values.Count) throw new FlipGuardException($"{flag} {text}: a value is repeated");
        return values.ToArray();
    }
}
