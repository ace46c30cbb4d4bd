namespace FlipGuard.Faults.Evaluation;

/// <summary>
/// Worst-case float32 rounding of a sum of n products, whatever order and blocking a BLAS kernel uses:
/// |fl(Σ aᵢbᵢ) − Σ aᵢbᵢ| ≤ γₙ·Σ|aᵢbᵢ| with γₙ = n·u/(1 − n·u), u = 2⁻²⁴ (Higham, Accuracy and Stability of
/// Numerical Algorithms, §3.1). This is what lets the fast sweep prove a prediction cannot change.
/// </summary>
internal static class FloatRounding
{
    /// <summary>Unit roundoff of float32.</summary>
    public const double UnitRoundoff = 1.0 / (1 << 24);

    /// <summary>Magnitude sums Σ|terms| above this could overflow float32 partial sums in some order; no bound is claimed there.</summary>
    public const double OverflowGuard = 3e38; // partial sums are bounded by (1 + n·u)·Σ|terms| < float.MaxValue

    /// <summary>γₙ for a dot product of <paramref name="terms"/> terms (bias included).</summary>
    public static double Gamma(int terms) => terms * UnitRoundoff / (1 - terms * UnitRoundoff);
}
