using FlipGuard.Core;
using FlipGuard.Reports;
using FlipGuard.Studies;
using FlipGuard.Studies.Results;
using Spectre.Console;

namespace FlipGuard.Cli;

/// <summary>
/// The console side of studies: runs a study under a progress bar with one log line per finished step, and prints a
/// report's tables, generated paragraph and file locations.
/// </summary>
public static class StudyView
{
    /// <summary>Runs <paramref name="config"/> with progress (none with <paramref name="quiet"/>) and writes the report.</summary>
    public static (StudyRunResult Run, StudyResults Results, ReportFiles Report) RunAndReport(StudyConfig config, StudyRunOptions options, bool quiet, CancellationToken token)
    {
        List<string> stages = ["training", .. config.Analyses.Select(a => a.Name)];
        var run = ProgressView.Run(quiet, "study", 1, bar => StudyRunner.Run(config, options, new ProgressRelay<StudyProgress>(p =>
        {
            int stage = Math.Max(0, stages.IndexOf(p.Stage));
            bar.Value = (p.Model - 1 + (stage + Math.Clamp(p.Fraction, 0, 1)) / stages.Count) / Math.Max(1, p.Models);
            bar.Description = $"{p.Model}/{p.Models} {p.ModelName} {p.Stage} {p.Detail}";
            if (p.Finished)
                bar.Log($"{Markup.Escape(p.ModelName),-22} {Markup.Escape(p.Stage),-9} " + (p.Skipped ? $"[grey]{Markup.Escape(p.Detail)}[/]" : Markup.Escape(p.Detail)));
        }), token));
        using var store = ResultsStore.Open(run.Database, create: false);
        var results = store.Read();
        return (run, results, ReportWriter.Write(results, run.Directory));
    }

    /// <summary>Prints the tables, the paragraph and where the files are.</summary>
    public static void Render(StudyResults results, ReportFiles report, string database)
    {
        var tables = StudyTable.Build(results);
        foreach (var t in tables)
            foreach (var (title, columns) in t.Parts())
            {
                AnsiConsole.MarkupLine($"[bold]{Markup.Escape(results.Info.Name)} — {Markup.Escape(t.Architecture)}{(title.Length > 0 ? ": " + Markup.Escape(title) : "")}[/]");
                var headers = new List<string> { "recipe", "seeds" };
                foreach (int c in columns) { headers.Add(t.Columns[c].Header); if (t.Columns[c].CompareToReference) headers.Add("change"); }
                var table = Output.Table(headers.ToArray());
                foreach (var row in t.Rows)
                {
                    var cells = new List<string> { Markup.Escape(row.Recipe.Label), row.Seeds.ToString() };
                    foreach (int c in columns)
                    {
                        cells.Add(Markup.Escape(StudyFormat.Value(t.Columns[c].Format, row.Cells[c].Mean)));
                        if (t.Columns[c].CompareToReference)
                            cells.Add(row.IsReference ? "[grey]reference[/]" : row.Changes[c] is { } cmp ? Markup.Escape(StudyFormat.SignedPercent(cmp.Relative)) : "–");
                    }
                    table.AddRow(cells.ToArray());
                }
                AnsiConsole.Write(table);
            }
        AnsiConsole.MarkupLine("[grey]Means over seeds; the report has the spreads, intervals and charts.[/]");
        foreach (string p in StudyNarrative.Write(results, tables)) AnsiConsole.WriteLine(p.Replace("**", "", StringComparison.Ordinal));
        AnsiConsole.MarkupLine($"Report: [bold]{Markup.Escape(report.Html)}[/] (and report.md beside it)");
        AnsiConsole.MarkupLine($"Results store: [bold]{Markup.Escape(database)}[/] ('flipguard report' re-renders the report from it)");
    }

    /// <summary>The JSON document of <c>--json</c>.</summary>
    public static object Json(StudyResults results, ReportFiles report, string database, StudyRunResult? run) => new
    {
        study = results.Info.Name,
        complete = results.Info.Complete,
        database,
        report = new { markdown = report.Markdown, html = report.Html, figures = report.Figures.Select(f => f.Path) },
        run,
        tables = StudyTable.Build(results).Select(t => new
        {
            architecture = t.Architecture,
            rows = t.Rows.Select(r => new
            {
                recipe = r.Recipe.Name,
                seeds = r.Seeds,
                metrics = t.Columns.Select((k, c) => new { name = k.Name, summary = r.Cells[c], change = r.Changes[c] }),
            }),
        }),
    };
}
