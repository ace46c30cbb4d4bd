using System.CommandLine;
using FlipGuard.Core;
using FlipGuard.Faults.Encodings;

namespace FlipGuard.Cli;

/// <summary>
/// How a fault command chooses the weight encoding: <c>--encoding NAME</c>, one of <see cref="WeightEncodings.All"/>
/// (so a new encoding reaches every command through its catalogue entry alone), and the shorthand flag the command
/// had before encodings existed (<c>--int8</c>, or <c>--float32</c> on <c>attack</c>, whose default is int8).
/// </summary>
public sealed class EncodingOptions
{
    private readonly IWeightEncoding defaultEncoding, shorthandEncoding;

    /// <summary>Options whose default is <paramref name="defaultEncoding"/> and whose flag <paramref name="shorthand"/> means <paramref name="shorthandEncoding"/>.</summary>
    public EncodingOptions(IWeightEncoding defaultEncoding, string shorthand, IWeightEncoding shorthandEncoding, string shorthandDescription)
    {
        this.defaultEncoding = defaultEncoding;
        this.shorthandEncoding = shorthandEncoding;
        Encoding = new Option<string?>("--encoding")
        {
            Description = $"How the weights are stored and flipped: {string.Join(", ", WeightEncodings.All.Select(e => e.Name))} (default {defaultEncoding.Name}).",
        };
        Encoding.AcceptOnlyFromAmong([.. WeightEncodings.All.Select(e => e.Name)]);
        Shorthand = new Option<bool>(shorthand) { Description = $"{shorthandDescription} Same as --encoding {shorthandEncoding.Name}." };
    }

    /// <summary><c>--encoding NAME</c>.</summary>
    public Option<string?> Encoding { get; }

    /// <summary>The shorthand flag.</summary>
    public Option<bool> Shorthand { get; }

    /// <summary>Both options, to add to a command.</summary>
    public IEnumerable<Option> All => [Encoding, Shorthand];

    /// <summary>The encoding the command line chose.</summary>
    /// <exception cref="FlipGuardException">The shorthand flag and <c>--encoding</c> name different encodings.</exception>
    public IWeightEncoding Resolve(ParseResult parse)
    {
        var named = parse.GetValue(Encoding) is { } name ? WeightEncodings.Parse(name) : null;
        if (!parse.GetValue(Shorthand)) return named ?? defaultEncoding;
        if (named is not null && named != shorthandEncoding)
            throw new FlipGuardException($"{Shorthand.Name} means --encoding {shorthandEncoding.Name}, but --encoding {named.Name} was given");
        return shorthandEncoding;
    }
}
