using FlipGuard.Core;

namespace FlipGuard.Defenses;

/// <summary>
/// <c>hessian-ecc</c>: SEC-DED check bits on the Hessian-ranked top share of the words only — the selective
/// protection the Hessian's ranking makes affordable.
/// </summary>
public sealed class HessianEccKind : DefenseKind<EccSettings>
{
    /// <summary>The share protected when none is given.</summary>
    public const double DefaultShare = 0.05;

    /// <summary>
    /// <c>protect</c>: the share of words with check bits. On the command line <c>--protect</c> sets it together
    /// with ecc's; a study's <c>protect</c> sets only this one (in a study, ecc protects every word).
    /// </summary>
    public static Setting<double?> Share { get; } = new("protect", null, "hessian-ecc: share of 64-bit words protected (default 0.05).") { Range = NumericRange.Fraction };

    /// <inheritdoc />
    public override string Name => "hessian-ecc";

    /// <inheritdoc />
    public override string? Summary => "ECC on the Hessian-ranked top words";

    /// <inheritdoc />
    public override IReadOnlyList<Setting> Settings { get; } = [Share];

    /// <inheritdoc />
    public override EccSettings Read(SettingValues settings) => new(settings.Get(Share) ?? DefaultShare, "hessian");

    /// <inheritdoc />
    public override IDefense Create(EccSettings options, DefenseContext context) => EccKind.Build(options, context);

    /// <inheritdoc />
    public override string Describe(EccSettings options) =>
        $"SEC-DED ECC on the Hessian-ranked top {options.Share * 100:0.##}% of the words";
}
