using System.Globalization;

namespace FlipGuard.Core;

/// <summary>
/// The values a numeric setting or flag accepts, declared next to it so that the command line refuses an
/// out-of-range value (or NaN, or an infinity) while parsing, before any work starts, and so that a test can walk
/// every flag and try its extremes. Bounds are inclusive unless <see cref="MinExclusive"/>.
/// </summary>
/// <param name="Min">The smallest value allowed.</param>
/// <param name="Max">The largest value allowed.</param>
/// <param name="MinExclusive">True when <paramref name="Min"/> itself is not allowed (a learning rate must be &gt; 0).</param>
/// <param name="MaxExclusive">True when <paramref name="Max"/> itself is not allowed (momentum must be &lt; 1).</param>
public sealed record NumericRange(double Min, double Max, bool MinExclusive = false, bool MaxExclusive = false)
{
    /// <summary>Any count from 1 up to <see cref="int.MaxValue"/>.</summary>
    public static NumericRange Positive { get; } = new(1, int.MaxValue);

    /// <summary>Any count from 0 (often "all" or "none") up to <see cref="int.MaxValue"/>.</summary>
    public static NumericRange NonNegative { get; } = new(0, int.MaxValue);

    /// <summary>A share in [0, 1].</summary>
    public static NumericRange Fraction { get; } = new(0, 1);

    /// <summary>Every 64-bit integer (seeds, keys): only non-numbers and overflow are refused.</summary>
    public static NumericRange AnyLong { get; } = new(long.MinValue, long.MaxValue);

    /// <summary>Whether <paramref name="value"/> lies in the range (NaN never does).</summary>
    public bool Contains(double value) => (MinExclusive ? value > Min : value >= Min) && (MaxExclusive ? value < Max : value <= Max);

    /// <summary>A finite number above zero (learning rates, radii).</summary>
    public static NumericRange PositiveReal { get; } = new(0, double.MaxValue, MinExclusive: true);

    /// <summary>A finite number from zero up (weights of penalties, decays).</summary>
    public static NumericRange NonNegativeReal { get; } = new(0, double.MaxValue);

    /// <summary>Counts from 1 to <paramref name="max"/>.</summary>
    public static NumericRange UpTo(int max) => new(1, max);

    /// <summary>The range as a message puts it: <c>1–2,147,483,647</c>, <c>&gt; 0</c>, <c>0–1</c>.</summary>
    public string Describe()
    {
        static string F(double v) => Math.Abs(v) >= 1e6 && v == Math.Floor(v) ? v.ToString("N0", CultureInfo.InvariantCulture) : v.ToString(CultureInfo.InvariantCulture);
        if (Max >= double.MaxValue) return MinExclusive ? $"a finite number > {F(Min)}" : $"a finite number ≥ {F(Min)}";
        if (MinExclusive || MaxExclusive) return $"{(MinExclusive ? "> " : "≥ ")}{F(Min)} and {(MaxExclusive ? "< " : "≤ ")}{F(Max)}";
        return $"{F(Min)}–{F(Max)}";
    }
}
