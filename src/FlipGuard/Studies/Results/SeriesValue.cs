namespace FlipGuard.Studies.Results;

/// <summary>The values of one <see cref="SeriesKind"/> on one model: a value per category label.</summary>
public sealed record SeriesValue(string Name, IReadOnlyList<string> Labels, IReadOnlyList<double> Values);
