using System.Globalization;

namespace FlipGuard.Studies.Results;

/// <summary>How the report prints values, cells and changes, in one place so the table, the narrative and the console agree.</summary>
public static class StudyFormat
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>A value of a metric (<c>96.15%</c>, <c>12,345</c>, <c>88.731</c>).</summary>
    public static string Value(MetricFormat format, double v) => double.IsNaN(v) ? "–" : format switch
    {
        MetricFormat.Percent => (v * 100).ToString("F2", Invariant) + "%",
        MetricFormat.Count => Math.Abs(v - Math.Round(v)) < 1e-9 ? v.ToString("N0", Invariant) : v.ToString("N1", Invariant),
        _ => Number(v),
    };

    /// <summary>A spread (standard deviation) in the metric's unit (percentage points for percentages).</summary>
    public static string Spread(MetricFormat format, double v) => format switch
    {
        MetricFormat.Percent => (v * 100).ToString("F2", Invariant) + " pp",
        MetricFormat.Count => v.ToString(v >= 10 ? "N0" : "N1", Invariant),
        _ => Number(v),
    };

    /// <summary>A table cell: <c>mean ± sd</c> over seeds, or the single value.</summary>
    public static string Cell(MetricFormat format, MetricSummary s) => s.Count switch
    {
        0 => "–",
        1 => Value(format, s.Mean),
        _ => $"{Value(format, s.Mean)} ± {Spread(format, s.StandardDeviation)}",
    };

    /// <summary>The cell's 95% interval for the mean, or "" when there is none.</summary>
    public static string Interval(MetricFormat format, MetricSummary s) =>
        s.Basis == IntervalBasis.None ? "" : $"95% CI {Value(format, s.Low)} to {Value(format, s.High)}";

    /// <summary>A relative change with its interval: <c>−37.2% (95% CI −39.0% to −35.4%)</c>.</summary>
    public static string Change(MetricComparison c) => double.IsNaN(c.Relative) ? "–"
        : SignedPercent(c.Relative) + (c.Basis == IntervalBasis.None ? "" : $" (95% CI {SignedPercent(c.RelativeLow)} to {SignedPercent(c.RelativeHigh)})");

    /// <summary>A signed percentage with a real minus sign (<c>−12.3%</c>, <c>+4.0%</c>).</summary>
    public static string SignedPercent(double fraction) => double.IsNaN(fraction) ? "–"
        : (fraction < 0 ? "−" : "+") + Math.Abs(fraction * 100).ToString("F1", Invariant) + "%";

    /// <summary>Where an interval comes from, in words.</summary>
    public static string Basis(IntervalBasis basis, int seeds) => basis switch
    {
        IntervalBasis.Seeds => $"t-interval over {seeds} seeds",
        IntervalBasis.Sampling => "from the measurements' own sampling, one seed",
        _ => "one seed, exact measurement: no interval; seed-to-seed variation not measured",
    };

    private static string Number(double v) => Math.Abs(v) >= 1e5 || (Math.Abs(v) < 1e-3 && v != 0)
        ? v.ToString("G4", Invariant)
        : v.ToString(Math.Abs(v) >= 100 ? "F1" : Math.Abs(v) >= 10 ? "F2" : "F3", Invariant);
}
