namespace FlipGuard.Studies.Results;

/// <summary>Which direction of a metric is the good one; the narrative names winners only for metrics that have one.</summary>
public enum Better
{
    /// <summary>Neither (descriptive only).</summary>
    None,
    /// <summary>Larger values are better (accuracy, flips an attacker needs).</summary>
    Higher,
    /// <summary>Smaller values are better (Hessian trace, vulnerable bits).</summary>
    Lower,
}

/// <summary>How a metric's values are printed.</summary>
public enum MetricFormat
{
    /// <summary>A fraction shown as a percentage (0.9615 → 96.15%).</summary>
    Percent,
    /// <summary>A count of things (thousands separators, no decimals unless it is a mean).</summary>
    Count,
    /// <summary>A real number, five significant digits.</summary>
    Number,
}

/// <summary>
/// One column of the study table, declared by the analysis that measures it. The store keeps these declarations
/// so that <c>flipguard report</c> can render a results store without knowing which analyses produced it.
/// </summary>
/// <param name="Name">Stable identifier, prefixed by the analysis (<c>sweep.rad90</c>).</param>
/// <param name="Header">Column header in the report.</param>
/// <param name="Format">How values are printed.</param>
/// <param name="Better">Which direction is good.</param>
/// <param name="CompareToReference">Whether the table also shows the change against the reference recipe.</param>
/// <param name="Description">One sentence for the report's legend: what is counted, on what.</param>
public sealed record MetricKind(string Name, string Header, MetricFormat Format, Better Better, bool CompareToReference, string Description);
