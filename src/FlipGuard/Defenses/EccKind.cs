using FlipGuard.Core;
using FlipGuard.Defenses.Ecc;
using FlipGuard.Defenses.Ranking;

namespace FlipGuard.Defenses;

/// <summary>
/// <c>ecc</c>: SEC-DED check bits (<see cref="EccProtection"/>) on every 64-bit word, or on the top share of the
/// words by a ranking.
/// </summary>
public sealed class EccKind : DefenseKind<EccSettings>
{
    /// <summary><c>protect</c>: the share of words with check bits (default all). <c>--protect</c> on the command line also sets hessian-ecc's share.</summary>
    public static Setting<double?> Share { get; } = new("protect", null, "ecc: share of 64-bit words protected (ecc default 1 = all; hessian-ecc default 0.05).") { Range = NumericRange.Fraction };

    /// <summary><c>rank</c>: which words get the check bits when only a share does.</summary>
    public static Setting<string> Rank { get; } = new("rank", "hessian", "ecc with --protect < 1: which words to protect (hessian, magnitude, random).", ["hessian", "magnitude", "random"]);

    /// <inheritdoc />
    public override string Name => "ecc";

    /// <inheritdoc />
    public override string? Summary => "SEC-DED per 64-bit word";

    /// <inheritdoc />
    public override IReadOnlyList<Setting> Settings { get; } = [Share, Rank];

    /// <inheritdoc />
    public override EccSettings Read(SettingValues settings) => new(settings.Get(Share) ?? 1, settings.Get(Rank));

    /// <inheritdoc />
    public override IDefense Create(EccSettings options, DefenseContext context) => Build(options, context);

    /// <inheritdoc />
    public override string Describe(EccSettings options) => Words(options);

    /// <summary>ECC on all words, or on the top <see cref="EccSettings.Share"/> by the ranking (computed only then).</summary>
    /// <exception cref="FlipGuardException">The share is outside [0, 1].</exception>
    internal static EccProtection Build(EccSettings options, DefenseContext context)
    {
        if (options.Share is < 0 or > 1) throw new FlipGuardException($"the protected share must be in [0, 1], got {options.Share}");
        if (options.Share >= 1) return new EccProtection();
        var scores = options.Ranking switch
        {
            "hessian" => context.HessianScores(),
            "magnitude" => EntryScores.Magnitude(context.Target),
            "random" => EntryScores.Random(context.Target, context.Seed),
            var other => throw new FlipGuardException($"--rank must be hessian, magnitude or random, got '{other}'"),
        };
        return new EccProtection(scores.TopWords(context.Target, options.Share));
    }

    /// <summary>The report's words for the protected words.</summary>
    internal static string Words(EccSettings options) => options.Share >= 1 ? "SEC-DED ECC on every 64-bit word"
        : $"SEC-DED ECC on the {(options.Ranking == "hessian" ? "Hessian" : options.Ranking)}-ranked top {options.Share * 100:0.##}% of the words";
}

/// <summary>The options of <c>ecc</c> and <c>hessian-ecc</c>.</summary>
/// <param name="Share">Share of the 64-bit words that get check bits (1 = all).</param>
/// <param name="Ranking">How the words are ranked when only a share is protected: <c>hessian</c>, <c>magnitude</c> or <c>random</c>.</param>
public sealed record EccSettings(double Share, string Ranking);
