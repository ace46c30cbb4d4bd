using FlipGuard.Charts;
using FlipGuard.Studies.Results;

namespace FlipGuard.Studies.Analyses;

/// <summary>
/// The defenses side by side, one colour per recipe, one chart per architecture and question: the flips the targeted
/// attack needs through each defense, and the single flips each still lets through (log scale: most are 0). Replaces a
/// bar chart per defense and metric, which would scatter one comparison over eight figures.
/// </summary>
public sealed class DefenseComparisonChart : IStudyComparisonChart
{
    /// <inheritdoc />
    public string Analysis => DefenseStudyAnalysis.AnalysisName;

    /// <inheritdoc />
    public bool Shows(string metric) => metric.StartsWith("defense.", StringComparison.Ordinal);

    /// <inheritdoc />
    public IReadOnlyList<StudyFigure> Write(StudyResults results, string directory)
    {
        var figures = new List<StudyFigure>();
        foreach (string architecture in results.Architectures)
        {
            foreach (var (suffix, title, axis, logY) in new[]
            {
                (".bfa", "BFA flips through each defense", "flips to the target (mean over attacks and seeds)", false),
                (".residual", "Single flips each defense lets through", "flips with RAD > 10% (log scale)", true),
            })
            {
                var kinds = results.Metrics.Where(k => Shows(k.Name) && k.Name.EndsWith(suffix, StringComparison.Ordinal)).ToList();
                var recipes = results.Recipes.Where(r => kinds.Any(k => results.ValuesOf(architecture, r.Name, k.Name).Count > 0)).ToList();
                if (kinds.Count == 0 || recipes.Count == 0) continue;
                var categories = kinds.Select(k => k.Name["defense.".Length..^suffix.Length]).ToList();
                var series = recipes.Select(r => (r.Label, kinds.Select(k => results.ValuesOf(architecture, r.Name, k.Name) is { Count: > 0 } v ? v.Average(x => x.Value) : 0).ToArray())).ToList();
                string name = $"defense{suffix.Replace('.', '-')}-{architecture}.png";
                string path = PngChart.GroupedBars(Path.Combine(directory, name), title, "defense", axis, categories, series, logY);
                figures.Add(new StudyFigure(path, $"{(results.Architectures.Count > 1 ? architecture + ": " : "")}{title}, one colour per recipe (mean over seeds). " +
                    (suffix == ".bfa"
                        ? "An attack the defense holds off for its whole budget counts as the budget, so bars at the budget are lower bounds."
                        : "Float32 single flips that still cost more than 10% of the clean accuracy after the defense's check; no bar means none.")));
            }
        }
        return figures;
    }
}
