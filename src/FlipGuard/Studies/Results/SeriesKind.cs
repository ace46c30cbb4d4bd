namespace FlipGuard.Studies.Results;

/// <summary>
/// A per-model series an analysis records (e.g. harmful flips per bit position); the report draws one comparison
/// chart per kind with one colour per recipe, averaged over seeds.
/// </summary>
/// <param name="Name">Stable identifier (<c>sweep.rad90-per-bit</c>).</param>
/// <param name="Title">Chart title.</param>
/// <param name="XLabel">Axis label of the categories.</param>
/// <param name="YLabel">Axis label of the values.</param>
/// <param name="LogY">Draw the values on a logarithmic axis.</param>
public sealed record SeriesKind(string Name, string Title, string XLabel, string YLabel, bool LogY);

/// <summary>The values of one <see cref="SeriesKind"/> on one model: a value per category label.</summary>
public sealed record SeriesValue(string Name, IReadOnlyList<string> Labels, IReadOnlyList<double> Values);
