using FlipGuard.Core;
using FlipGuard.Defenses.Ecc;
using FlipGuard.Defenses.Ranking;
using FlipGuard.Faults.Targets;

namespace FlipGuard.Defenses;

/// <summary>
/// A defense as a user names it (<c>flipguard defend --defense</c>, a study's <c>analyses.defense.defenses</c>): one
/// place that turns the name and its settings into a protecting <see cref="IDefense"/>, so the command line and the
/// study build exactly the same defense from the same words.
/// </summary>
/// <param name="Kind">One of <see cref="Kinds"/>.</param>
/// <param name="Radar">radar: groups, interleaving, signature bits, key.</param>
/// <param name="Clamp">guard: clamp out-of-range weights instead of zeroing them.</param>
/// <param name="Protect">ecc: share of 64-bit words with check bits (1 = all); hessian-ecc: the Hessian-ranked share.</param>
public sealed record DefenseChoice(string Kind, RadarOptions Radar, bool Clamp = false, double Protect = 1)
{
    /// <summary>The names a user may give.</summary>
    public static IReadOnlyList<string> Kinds { get; } = ["guard", "radar", "ecc", "hessian-ecc"];

    /// <summary>The share hessian-ecc protects when none is given.</summary>
    public const double DefaultHessianShare = 0.05;

    /// <summary>
    /// Builds the defense and protects <paramref name="target"/> (its clean state). <paramref name="rankEntries"/> scores
    /// the entries when only a share of the words gets check bits (hessian-ecc, or ecc with <see cref="Protect"/> &lt; 1);
    /// it is not called otherwise, so an expensive Hessian ranking is only computed when needed.
    /// </summary>
    /// <exception cref="FlipGuardException">Unknown kind, or a share outside [0, 1].</exception>
    public IDefense Create(FlipTarget target, Func<EntryScores> rankEntries)
    {
        if (Protect is < 0 or > 1) throw new FlipGuardException($"the protected share must be in [0, 1], got {Protect}");
        IDefense defense = Kind switch
        {
            "guard" => new RangeGuard(zero: !Clamp),
            "radar" => new RadarChecksum(Radar),
            "ecc" or "hessian-ecc" when Protect >= 1 => new EccProtection(),
            "ecc" or "hessian-ecc" => new EccProtection(rankEntries().TopWords(target, Protect)),
            _ => throw new FlipGuardException($"unknown defense '{Kind}' (known: {string.Join(", ", Kinds)})"),
        };
        defense.Protect(target);
        return defense;
    }
}
