using FlipGuard.Studies.Results;

namespace FlipGuard.Studies.Analyses;

/// <summary>
/// One analysis a study runs on every model (Hessian statistics, the bit-flip sweep, and after issues 5 and 6 the
/// attack, random injection and defenses). This is the extension point: implement it, add its line to
/// <see cref="StudyAnalysisCatalog"/> (the name used in the study file's <c>analyses</c> section, its factory and its
/// optional comparison chart), and the runner, the store, the table, the charts and the narrative pick it up without
/// further changes.
/// </summary>
public interface IStudyAnalysis
{
    /// <summary>Name in the study file and the store (<c>sweep</c>).</summary>
    string Name { get; }

    /// <summary>
    /// The settings that determine the result, as a JSON-serialisable value. Its hash (with <see cref="Name"/>) tells
    /// the store whether a model already has this result, so changing a setting reruns exactly this analysis.
    /// </summary>
    object Settings { get; }

    /// <summary>Table columns this analysis fills, in display order.</summary>
    IReadOnlyList<MetricKind> Metrics { get; }

    /// <summary>Series this analysis records for the comparison charts.</summary>
    IReadOnlyList<SeriesKind> Series { get; }

    /// <summary>
    /// Measures one model. Long analyses keep a journal in <see cref="StudyAnalysisContext.WorkDirectory"/> and resume
    /// from it; cancellation throws <see cref="OperationCanceledException"/> and loses no finished work.
    /// </summary>
    AnalysisOutcome Run(StudyAnalysisContext context, CancellationToken cancellation);
}
