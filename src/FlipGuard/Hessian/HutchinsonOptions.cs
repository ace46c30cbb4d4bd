using FlipGuard.Core;

namespace FlipGuard.Hessian;

/// <summary>
/// When Hutchinson's estimator stops: after at least <see cref="MinProbes"/> probes, once the standard error is
/// below <see cref="RelativeTolerance"/> times the mean absolute probe value (a scale that stays positive when the
/// trace is near zero or negative, unlike the relative change of the mean), or at <see cref="MaxProbes"/>.
/// </summary>
public sealed record HutchinsonOptions(int MaxProbes = 100, int MinProbes = 8, double RelativeTolerance = 0.01, long Seed = 0)
{
    /// <summary>Checks the ranges.</summary>
    /// <exception cref="FlipGuardException">A value is out of range.</exception>
    public void Validate()
    {
        if (MaxProbes < 1) throw new FlipGuardException($"--probes must be at least 1, got {MaxProbes}");
        if (MinProbes < 1 || MinProbes > MaxProbes) throw new FlipGuardException($"minimum probes must be in [1, {MaxProbes}], got {MinProbes}");
        if (!(RelativeTolerance >= 0)) throw new FlipGuardException($"--tolerance must be ≥ 0, got {RelativeTolerance}");
    }
}
