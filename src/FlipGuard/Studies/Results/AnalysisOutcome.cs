using FlipGuard.Studies.Results;

namespace FlipGuard.Studies.Results;

/// <summary>
/// What one analysis measured on one model: table values, series for the comparison charts, files, and its full
/// result as JSON (kept in the store for anyone who wants more than the table).
/// </summary>
public sealed record AnalysisOutcome(
    IReadOnlyList<MetricValue> Metrics,
    IReadOnlyList<SeriesValue> Series,
    IReadOnlyList<StudyArtifact> Artifacts,
    string? DetailJson,
    double Seconds);

/// <summary>A file an analysis left for one model (a PNG chart), path relative to the study folder so the folder can move.</summary>
public sealed record StudyArtifact(string RelativePath, string Caption);
