using System.CommandLine;
using FlipGuard.Attacks;
using FlipGuard.Core;
using FlipGuard.Faults.Encodings;
using FlipGuard.Faults.Targets;

namespace FlipGuard.Cli;

/// <summary>The attack's own options (top-k, batch, target, budget, seeds), defined once for <c>attack</c> and <c>defend --run attack</c>.</summary>
public sealed class AttackArguments
{
    /// <summary><c>--top-k</c>.</summary>
    public Option<int> TopK { get; } = new Option<int>("--top-k") { Description = "Candidates per tensor whose loss is evaluated each iteration.", DefaultValueFactory = _ => 10 }.Within(NumericRange.Positive);
    /// <summary><c>--batch</c>.</summary>
    public Option<int> Batch { get; } = new Option<int>("--batch") { Description = "Attack-batch size, drawn from the training split (never from the test set).", DefaultValueFactory = _ => 128 }.Within(NumericRange.Positive);
    /// <summary><c>--target-accuracy</c>.</summary>
    public Option<double?> TargetAccuracy { get; } = new Option<double?>("--target-accuracy") { Description = "Stop at this test accuracy, as a fraction (default: chance + 1 point, e.g. 0.11 for 10 classes)." }.Within(NumericRange.Fraction);
    /// <summary><c>--max-flips</c>.</summary>
    public Option<int> MaxFlips { get; } = new Option<int>("--max-flips") { Description = "Flip budget per seed.", DefaultValueFactory = _ => 100 }.Within(NumericRange.Positive);
    /// <summary><c>--seeds</c>.</summary>
    public Option<int> Seeds { get; } = new Option<int>("--seeds") { Description = "Number of attacks (attack batches) per model; seeds --seed … --seed+N−1.", DefaultValueFactory = _ => 5 }.Within(NumericRange.UpTo(100_000));

    /// <summary>Every option, to add to a command.</summary>
    public IEnumerable<Option> All => [TopK, Batch, TargetAccuracy, MaxFlips, Seeds];

    /// <summary>The attack options the command line gives (seeds from <paramref name="firstSeed"/>), checked against the format.</summary>
    /// <exception cref="FlipGuardException">A bad option.</exception>
    public AttackOptions Build(ParseResult parse, BitSelection bits, ulong firstSeed, bool resume, int chunk, IWeightEncoding encoding)
    {
        int n = parse.GetValue(Seeds);
        var options = new AttackOptions(bits)
        {
            TopK = parse.GetValue(TopK),
            BatchSize = parse.GetValue(Batch),
            TargetAccuracy = parse.GetValue(TargetAccuracy),
            MaxFlips = parse.GetValue(MaxFlips),
            Seeds = Enumerable.Range(0, n).Select(i => firstSeed + (ulong)i).ToArray(),
            Resume = resume,
            Chunk = chunk,
        };
        ProgressiveBitSearch.Validate(options, encoding);
        return options;
    }
}
