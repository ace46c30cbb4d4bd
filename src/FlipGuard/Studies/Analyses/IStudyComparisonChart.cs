using FlipGuard.Studies.Results;

namespace FlipGuard.Studies.Analyses;

/// <summary>
/// A chart across recipes that an analysis draws from its stored full results, when a bar per column is not the
/// right picture (accuracy against attack flips, accuracy against bit-error rate). Registered on the analysis's own
/// line of <see cref="StudyAnalysisCatalog"/>; the report draws it from the store alone, like every other figure.
/// </summary>
public interface IStudyComparisonChart
{
    /// <summary>The analysis whose results it draws.</summary>
    string Analysis { get; }

    /// <summary>Whether this chart already shows <paramref name="metric"/>, so the report leaves out that column's bar chart.</summary>
    bool Shows(string metric);

    /// <summary>Writes the charts (one per architecture) into <paramref name="directory"/>; none when no model has the analysis.</summary>
    IReadOnlyList<StudyFigure> Write(StudyResults results, string directory);
}

/// <summary>A chart file of the report and its caption.</summary>
public sealed record StudyFigure(string Path, string Caption);
