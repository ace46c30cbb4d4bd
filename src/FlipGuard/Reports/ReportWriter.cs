using FlipGuard.Core;
using FlipGuard.Studies.Analyses;
using System.Net;
using System.Text;
using FlipGuard.Studies.Results;

namespace FlipGuard.Reports;

/// <summary>The files a report consists of.</summary>
public sealed record ReportFiles(string Markdown, string Html, IReadOnlyList<StudyFigure> Figures);

/// <summary>
/// Renders a study's results as <c>report.md</c> (figures as files beside it) and a self-contained
/// <c>report.html</c> (every PNG embedded as base64, no external resource, so it can be mailed or archived as one file):
/// the generated paragraph, one table per architecture, the legend, the comparison charts, each model's own charts,
/// and the study file that produced it all.
/// </summary>
public static class ReportWriter
{
    /// <summary>Writes the report into <paramref name="directory"/> (figures in <c>directory/figures</c>).</summary>
    public static ReportFiles Write(StudyResults results, string directory)
    {
        OutputFolder.Create(directory);
        var tables = StudyTable.Build(results);
        var narrative = StudyNarrative.Write(results, tables);
        var figures = StudyFigures.Write(results, tables, Path.Combine(directory, "figures"));
        string md = Path.Combine(directory, "report.md"), html = Path.Combine(directory, "report.html");
        AtomicFile.WriteText(md, Markdown(results, tables, narrative, figures, directory));
        AtomicFile.WriteText(html, Html(results, tables, narrative, figures));
        return new ReportFiles(Path.GetFullPath(md), Path.GetFullPath(html), figures);
    }

    private static string Markdown(StudyResults r, IReadOnlyList<StudyTable> tables, IReadOnlyList<string> narrative, IReadOnlyList<StudyFigure> figures, string directory)
    {
        var b = new StringBuilder();
        b.AppendLine($"# Study {r.Info.Name}").AppendLine();
        b.AppendLine(Overview(r)).AppendLine();
        foreach (string p in narrative) b.AppendLine(p).AppendLine();
        foreach (var t in tables)
        {
            b.AppendLine($"## {t.Architecture}").AppendLine();
            foreach (var (title, columns) in t.Parts())
            {
                if (title.Length > 0) b.AppendLine($"### {t.Architecture}: {title}").AppendLine();
                var headers = Headers(t, columns);
                b.AppendLine("| " + string.Join(" | ", headers) + " |");
                b.AppendLine("|---|---:|" + string.Concat(Enumerable.Repeat("---:|", headers.Count - 2)));
                foreach (var row in t.Rows) b.AppendLine("| " + string.Join(" | ", Cells(t, columns, row, html: false)) + " |");
                b.AppendLine();
            }
        }
        b.AppendLine("## Columns").AppendLine();
        foreach (var k in tables.SelectMany(t => t.Columns).DistinctBy(k => k.Name)) b.AppendLine($"- **{k.Header}**: {k.Description}");
        b.AppendLine("- Cells are mean ± standard deviation over seeds; with one seed, the value and (where the measurement samples) its 95% interval in brackets. " +
                     "Changes are relative to the reference recipe's mean, with a 95% interval (Welch over seeds, or the two measurements' sampling intervals with one seed).");
        b.AppendLine().AppendLine("## Recipes").AppendLine();
        foreach (var recipe in r.Recipes) b.AppendLine($"- **{recipe.Label}** (`{recipe.Name}`{(recipe.Name == r.Info.Reference ? ", reference" : "")}): {recipe.Description}");
        b.AppendLine().AppendLine("## Figures").AppendLine();
        foreach (var f in figures) b.AppendLine($"![{f.Caption}]({Relative(directory, f.Path)})").AppendLine().AppendLine($"*{f.Caption}*").AppendLine();
        var perModel = PerModelArtifacts(r);
        if (perModel.Count > 0)
        {
            b.AppendLine("## Per-model charts").AppendLine();
            foreach (var (caption, path) in perModel) b.AppendLine($"- [{caption}]({Relative(directory, path)})");
            b.AppendLine();
        }
        b.AppendLine("## Study file").AppendLine().AppendLine("```yaml").AppendLine(r.Info.Text.TrimEnd()).AppendLine("```");
        return b.ToString();
    }

    private static string Html(StudyResults r, IReadOnlyList<StudyTable> tables, IReadOnlyList<string> narrative, IReadOnlyList<StudyFigure> figures)
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        static string Bold(string s) => System.Text.RegularExpressions.Regex.Replace(E(s), @"\*\*(.+?)\*\*", "<strong>$1</strong>");
        var b = new StringBuilder();
        b.AppendLine("<!DOCTYPE html>").AppendLine("<html lang=\"en\"><head><meta charset=\"utf-8\">");
        b.AppendLine($"<title>Study {E(r.Info.Name)} — FlipGuard</title>");
        b.AppendLine("<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}" +
                     "table.results{border-collapse:collapse;margin:1em 0}table.results th,table.results td{border:1px solid #ccc;padding:.3em .6em}" +
                     "table.results td{text-align:right}table.results td:first-child{text-align:left}table.results th{background:#f3f3f3}" +
                     "small{color:#666}figure{margin:1.5em 0}figure img{max-width:100%;border:1px solid #eee}figcaption{font-size:.9em;color:#444}" +
                     "pre{background:#f6f6f6;padding:1em;overflow:auto}.note{color:#a33}</style></head><body>");
        b.AppendLine($"<h1>Study {E(r.Info.Name)}</h1>").AppendLine($"<p>{E(Overview(r))}</p>");
        foreach (string p in narrative) b.AppendLine($"<p class=\"narrative\">{Bold(p)}</p>");
        foreach (var t in tables)
        {
            b.AppendLine($"<h2>{E(t.Architecture)}</h2>");
            foreach (var (title, columns) in t.Parts())
            {
                if (title.Length > 0) b.AppendLine($"<h3>{E(t.Architecture)}: {E(title)}</h3>");
                string part = title.Length > 0 ? $" data-part=\"{E(title)}\"" : "";
                b.AppendLine($"<table class=\"results\" data-architecture=\"{E(t.Architecture)}\"{part}><thead><tr>");
                foreach (string h in Headers(t, columns)) b.Append($"<th>{E(h)}</th>");
                b.AppendLine("</tr></thead><tbody>");
                foreach (var row in t.Rows) b.AppendLine("<tr>" + string.Concat(Cells(t, columns, row, html: true).Select(c => $"<td>{c}</td>")) + "</tr>");
                b.AppendLine("</tbody></table>");
            }
        }
        b.AppendLine("<h2>Columns</h2><ul>");
        foreach (var k in tables.SelectMany(t => t.Columns).DistinctBy(k => k.Name)) b.AppendLine($"<li><strong>{E(k.Header)}</strong>: {E(k.Description)}</li>");
        b.AppendLine("<li>Cells are mean ± standard deviation over seeds; with one seed, the value and (where the measurement samples) its 95% interval. " +
                     "Changes are relative to the reference recipe's mean, with a 95% interval.</li></ul>");
        b.AppendLine("<h2>Recipes</h2><ul>");
        foreach (var recipe in r.Recipes)
            b.AppendLine($"<li><strong>{E(recipe.Label)}</strong> (<code>{E(recipe.Name)}</code>{(recipe.Name == r.Info.Reference ? ", reference" : "")}): {E(recipe.Description)}</li>");
        b.AppendLine("</ul><h2>Figures</h2>");
        foreach (var f in figures) b.AppendLine(Figure(f.Path, f.Caption));
        var perModel = PerModelArtifacts(r);
        if (perModel.Count > 0)
        {
            b.AppendLine("<h2>Per-model charts</h2><details><summary>Show the charts of every model</summary>");
            foreach (var (caption, path) in perModel) b.AppendLine(Figure(path, caption));
            b.AppendLine("</details>");
        }
        b.AppendLine($"<h2>Study file</h2><pre>{E(r.Info.Text.TrimEnd())}</pre>");
        b.AppendLine("</body></html>");
        return b.ToString();
    }

    private static string Overview(StudyResults r)
    {
        int seeds = r.Models.Select(m => m.Seed).Distinct().Count();
        return $"Dataset {r.Info.DatasetDescription}. {r.Models.Count} models ({r.Recipes.Count} recipes × {r.Architectures.Count} architecture(s) × {seeds} seed(s)); " +
               $"reference recipe '{r.Info.Reference}'. FlipGuard {r.Info.FlipGuardVersion}, updated {r.Info.UpdatedUtc}" + (r.Info.Complete ? "." : "; NOT FINISHED.");
    }

    private static List<string> Headers(StudyTable t, IReadOnlyList<int> columns)
    {
        var h = new List<string> { "recipe", "seeds" };
        foreach (var k in columns.Select(c => t.Columns[c]))
        {
            h.Add(k.Header);
            if (k.CompareToReference) h.Add($"{k.Header}: change");
        }
        return h;
    }

    private static List<string> Cells(StudyTable t, IReadOnlyList<int> columns, StudyTableRow row, bool html)
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        var cells = new List<string> { html ? E(row.Recipe.Label) : row.Recipe.Label, row.Seeds.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        foreach (int c in columns)
        {
            var k = t.Columns[c];
            var s = row.Cells[c];
            string cell = StudyFormat.Cell(k.Format, s);
            string interval = s.Count == 1 && s.Basis == IntervalBasis.Sampling ? $"[{StudyFormat.Value(k.Format, s.Low)}, {StudyFormat.Value(k.Format, s.High)}]" : "";
            cells.Add(html ? E(cell) + (interval.Length > 0 ? $" <small>{E(interval)}</small>" : "") : cell + (interval.Length > 0 ? $" {interval}" : ""));
            if (k.CompareToReference)
            {
                string change = row.IsReference ? "reference" : row.Changes[c] is { } cmp ? StudyFormat.Change(cmp) : "–";
                cells.Add(html ? E(change) : change);
            }
        }
        return cells;
    }

    private static List<(string Caption, string Path)> PerModelArtifacts(StudyResults r) =>
        r.Models.SelectMany(m => r.Artifacts.TryGetValue(m.Key, out var a) ? a : [])
            .Select(a => (a.Caption, Path.GetFullPath(Path.Combine(r.Directory, a.RelativePath))))
            .Where(a => File.Exists(a.Item2)).ToList();

    private static string Figure(string path, string caption) =>
        $"<figure><img alt=\"{WebUtility.HtmlEncode(caption)}\" src=\"data:image/png;base64,{Convert.ToBase64String(File.ReadAllBytes(path))}\">" +
        $"<figcaption>{WebUtility.HtmlEncode(caption)}</figcaption></figure>";

    private static string Relative(string directory, string path) => Path.GetRelativePath(directory, path).Replace('\\', '/');
}
