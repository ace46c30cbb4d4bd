using static TorchSharp.torch;

namespace FlipGuard.Faults.Evaluation.Incremental;

/// <summary>
/// What a float32 sum or argmax of the naive forward certainly gives, from float64 values and rigorous bounds — the
/// IEEE 754 rules <see cref="OverflowDecision"/> applies at every step: finite within γₙ·T when no product or partial
/// sum can overflow, ±∞ when a finite result is impossible and the other sign cannot overflow, NaN from NaN terms,
/// 0·∞ or ∞ − ∞, and the first NaN (else first +∞) as torch.argmax's answer.
/// </summary>
internal static class Float32Outcome
{
    public const double FloatMax = float.MaxValue;
    /// <summary>Below this every float32 result and partial sum is finite (slack for the float64 bounds' own rounding).</summary>
    public const double Finite = FloatMax / (1 + 1e-9);
    /// <summary>Above this a float32 result rounds to ±∞ (the threshold is float.MaxValue·(1 + 2⁻²⁵)).</summary>
    public const double Overflow = FloatMax * (1 + 1e-6);
    /// <summary>Absolute rounding per sum from underflow or flush-to-zero of tiny products, generously.</summary>
    public const double Floor = 1e-20;

    /// <summary>
    /// The naive forward's argmax when certain (first NaN, else first +∞, else the finite top whose interval clears the
    /// rest; all −∞ ties to class 0), else −1.
    /// </summary>
    public static int Prediction(ReadOnlySpan<double> z, ReadOnlySpan<double> e)
    {
        for (int c = 0; c < z.Length; c++) if (double.IsNaN(z[c])) return c;
        for (int c = 0; c < z.Length; c++) if (double.IsPositiveInfinity(z[c])) return c;
        int top = -1;
        for (int c = 0; c < z.Length; c++) if (double.IsFinite(z[c]) && (top < 0 || z[c] > z[top])) top = c;
        if (top < 0) return 0;
        for (int c = 0; c < z.Length; c++)
            if (c != top && double.IsFinite(z[c]) && !(z[top] - e[top] > z[c] + e[c])) return -1;
        return top;
    }

    /// <summary>
    /// A sum with some ∞ or NaN terms: NaN where <paramref name="nan"/>, else ±∞ where such terms all share a sign
    /// (certain only if the finite terms cannot overflow), else the finite classification.
    /// </summary>
    public static (Tensor, Tensor) Special(Tensor v, Tensor deviation, Tensor terms, double g, Tensor nan, Tensor plus, Tensor minus, ref Tensor bad)
    {
        var infinite = plus.logical_or(minus).logical_and(nan.logical_not());
        var finiteSafe = (terms * (1 + g)).lt(Finite);
        var overridden = nan.logical_or(infinite);
        var unsure = zeros_like(bad);
        var (q, f) = Classify(v, deviation, terms, terms, g, ref unsure, overridden);
        bad = bad.logical_or(unsure).logical_or(infinite.logical_and(finiteSafe.logical_not()).flatten(1).any(1));
        q = where(nan, double.NaN, where(plus.logical_and(nan.logical_not()), double.PositiveInfinity, where(minus.logical_and(nan.logical_not()), double.NegativeInfinity, q)));
        return (q, f.masked_fill(overridden, 0));
    }

    /// <summary>
    /// Classifies each float32 sum with only finite terms: v ± (<paramref name="deviation"/> + γ·terms) when it cannot
    /// overflow, ±∞ when it certainly does, else marks the row uncertain (elements in <paramref name="ignore"/> excepted).
    /// </summary>
    public static (Tensor P, Tensor E) Classify(Tensor v, Tensor deviation, Tensor terms, Tensor overflowTerms, double g, ref Tensor bad, Tensor? ignore = null)
    {
        var error = deviation + g * terms + Floor;
        if (ignore is null && overflowTerms.max().item<double>() * (1 + g) < Finite) return (v, error); // nothing can overflow
        var finite = (overflowTerms * (1 + g)).lt(Finite);
        // Terms of the sign opposite to v sum to at most (T − |v| + deviation)/2; with γ·T they bound every partial sum of that sign.
        var opposite = (overflowTerms - v.abs() + deviation) * 0.5 + g * overflowTerms;
        var quiet = opposite.lt(Finite);
        var up = (v - error).gt(Overflow).logical_and(quiet);
        var down = (v + error).lt(-Overflow).logical_and(quiet);
        var settled = finite.logical_or(up).logical_or(down);
        if (ignore is not null) settled = settled.logical_or(ignore);
        bad = bad.logical_or(settled.logical_not().flatten(1).any(1));
        var p = where(up, double.PositiveInfinity, where(down, double.NegativeInfinity, v));
        return (p, error.masked_fill(finite.logical_not(), 0));
    }

    /// <summary>A per-row value shaped to broadcast against <paramref name="like"/>.</summary>
    public static Tensor Broadcast(Tensor perRow, Tensor like)
    {
        var shape = new long[like.dim()];
        Array.Fill(shape, 1L);
        shape[0] = -1;
        return perRow.view(shape);
    }
}
