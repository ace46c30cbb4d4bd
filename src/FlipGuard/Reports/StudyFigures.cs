using FlipGuard.Core;
using System.Text.RegularExpressions;
using FlipGuard.Charts;
using FlipGuard.Studies.Analyses;
using FlipGuard.Studies.Results;

namespace FlipGuard.Reports;

/// <summary>
/// The report's comparison charts, drawn from the store: one bar chart per table column (recipes side by side, one
/// colour per architecture), the analyses' own comparison charts (<see cref="StudyAnalysisCatalog.Charts"/>: accuracy
/// against attack flips or bit-error rate), and one per recorded series (one colour per recipe), values averaged over seeds.
/// </summary>
public static partial class StudyFigures
{
    /// <summary>Writes the charts into <paramref name="directory"/> and returns them in report order.</summary>
    public static IReadOnlyList<StudyFigure> Write(StudyResults results, IReadOnlyList<StudyTable> tables, string directory)
    {
        OutputFolder.Create(directory);
        var figures = new List<StudyFigure>();
        var recipes = results.Recipes.Where(r => results.Models.Any(m => m.Recipe == r.Name)).ToList();
        foreach (var kind in results.Metrics)
        {
            if (StudyAnalysisCatalog.Charts.Any(c => c.Shows(kind.Name))) continue;
            var series = tables.Where(t => t.Columns.Any(k => k.Name == kind.Name)).Select(t =>
            {
                int c = t.Columns.ToList().IndexOf(t.Columns.First(k => k.Name == kind.Name));
                return (t.Architecture, recipes.Select(r => t.Rows.FirstOrDefault(row => row.Recipe.Name == r.Name)?.Cells[c].Mean ?? double.NaN)
                    .Select(v => double.IsNaN(v) ? 0 : kind.Format == MetricFormat.Percent ? 100 * v : v).ToArray());
            }).ToList();
            if (series.Count == 0) continue;
            string unit = kind.Format == MetricFormat.Percent ? " (%)" : "";
            string path = PngChart.GroupedBars(Path.Combine(directory, $"{Slug(kind.Name)}.png"), $"{Capitalise(kind.Header)} per recipe", "recipe",
                kind.Header + unit, recipes.Select(r => r.Label).ToList(), series);
            figures.Add(new StudyFigure(path, $"{Capitalise(kind.Header)} per recipe (mean over seeds). {kind.Description}"));
        }
        foreach (var chart in StudyAnalysisCatalog.Charts) figures.AddRange(chart.Write(results, directory));
        bool several = results.Architectures.Count > 1;
        foreach (var kind in results.Series)
        {
            var lines = new List<(string Name, Dictionary<string, double> Values)>();
            var labels = new List<string>();
            foreach (string architecture in results.Architectures)
                foreach (var recipe in recipes)
                {
                    var values = results.Models.Where(m => m.Architecture == architecture && m.Recipe == recipe.Name)
                        .SelectMany(m => results.SeriesValues.TryGetValue(m.Key, out var s) ? s.Where(x => x.Name == kind.Name) : []).ToList();
                    if (values.Count == 0) continue;
                    var mean = new Dictionary<string, double>();
                    foreach (var v in values)
                        for (int i = 0; i < v.Labels.Count; i++)
                        {
                            if (!labels.Contains(v.Labels[i])) labels.Add(v.Labels[i]);
                            mean[v.Labels[i]] = mean.GetValueOrDefault(v.Labels[i]) + v.Values[i] / values.Count;
                        }
                    lines.Add((several ? $"{architecture} {recipe.Label}" : recipe.Label, mean));
                }
            var shown = labels.Where(l => lines.Any(s => s.Values.GetValueOrDefault(l) > 0)).ToList();
            if (shown.Count == 0) continue;
            string path = PngChart.GroupedBars(Path.Combine(directory, $"{Slug(kind.Name)}.png"), kind.Title, kind.XLabel, kind.YLabel, shown,
                lines.Select(s => (s.Name, shown.Select(l => s.Values.GetValueOrDefault(l)).ToArray())).ToList(), kind.LogY);
            figures.Add(new StudyFigure(path, $"{kind.Title} (mean over seeds; categories where every recipe has 0 are left out)."));
        }
        return figures;
    }

    private static string Capitalise(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    private static string Slug(string name) => SlugPattern().Replace(name, "-");

    [GeneratedRegex("[^A-Za-z0-9]+")]
    private static partial Regex SlugPattern();
}
