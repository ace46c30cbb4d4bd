namespace FlipGuard.Studies.Results;

/// <summary>One recipe's row: its seed count, a summary per column, and the change against the reference where the column asks for it.</summary>
public sealed record StudyTableRow(RecipeInfo Recipe, int Seeds, IReadOnlyList<MetricSummary> Cells, IReadOnlyList<MetricComparison?> Changes, bool IsReference);

/// <summary>
/// The paper-style table for one architecture: a row per recipe, a column per declared metric (with the change
/// against the reference recipe for columns that ask for it), each cell summarised over seeds.
/// </summary>
public sealed record StudyTable(string Architecture, IReadOnlyList<MetricKind> Columns, IReadOnlyList<StudyTableRow> Rows)
{
    /// <summary>
    /// The columns split into the parts a reader takes in at once: the paper's table (accuracy, Hessian, sweep,
    /// attack), then the random bit errors, then the defenses — one table of 30 columns is unreadable on any screen.
    /// Each part is a title (empty for the first) and the indices of its columns; empty parts are left out.
    /// </summary>
    public IReadOnlyList<(string Title, IReadOnlyList<int> Columns)> Parts()
    {
        static string PartOf(MetricKind k) => k.Name.StartsWith("injection.", StringComparison.Ordinal) ? "random bit errors"
            : k.Name.StartsWith("defense.", StringComparison.Ordinal) ? "defenses" : "";
        return new[] { "", "random bit errors", "defenses" }
            .Select(title => (title, (IReadOnlyList<int>)Enumerable.Range(0, Columns.Count).Where(c => PartOf(Columns[c]) == title).ToList()))
            .Where(p => p.Item2.Count > 0).ToList();
    }

    /// <summary>One table per architecture, columns limited to metrics that have at least one value.</summary>
    public static IReadOnlyList<StudyTable> Build(StudyResults results)
    {
        var tables = new List<StudyTable>();
        foreach (string architecture in results.Architectures)
        {
            var recipes = results.Recipes.Where(r => results.Models.Any(m => m.Architecture == architecture && m.Recipe == r.Name)).ToList();
            var columns = results.Metrics.Where(k => recipes.Any(r => results.ValuesOf(architecture, r.Name, k.Name).Count > 0)).ToList();
            var referenceValues = columns.Select(k => results.ValuesOf(architecture, results.Info.Reference, k.Name)).ToList();
            var rows = new List<StudyTableRow>();
            foreach (var recipe in recipes)
            {
                bool isReference = recipe.Name == results.Info.Reference;
                var cells = new List<MetricSummary>();
                var changes = new List<MetricComparison?>();
                for (int c = 0; c < columns.Count; c++)
                {
                    var values = results.ValuesOf(architecture, recipe.Name, columns[c].Name);
                    var summary = MetricSummary.Of(values);
                    cells.Add(summary);
                    changes.Add(columns[c].CompareToReference && !isReference && summary.Count > 0 && referenceValues[c].Count > 0
                        ? MetricComparison.Of(summary, MetricSummary.Of(referenceValues[c]), values.Select(v => v.Value).ToList(), referenceValues[c].Select(v => v.Value).ToList())
                        : null);
                }
                int seeds = results.Models.Count(m => m.Architecture == architecture && m.Recipe == recipe.Name);
                rows.Add(new StudyTableRow(recipe, seeds, cells, changes, isReference));
            }
            tables.Add(new StudyTable(architecture, columns, rows));
        }
        return tables;
    }
}
