using System.CommandLine;
using FlipGuard.Reports;
using FlipGuard.Studies.Results;

namespace FlipGuard.Cli.Commands;

/// <summary><c>flipguard report DB</c>: render a study's report again from its results store (nothing is recomputed).</summary>
public static class ReportCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var database = new Argument<string>("results") { Description = "A study's results.db." };
        var output = new Option<string?>("--output", "-o") { Description = "Folder for report.md, report.html and figures/ (default: the store's folder)." };
        var json = CommonOptions.Json();
        var command = new Command("report", "Render report.md and a self-contained report.html from a study's results store.") { database, output, json };
        command.SetAction(CommandRunner.Action((parse, _) =>
        {
            string path = parse.GetValue(database)!;
            using var store = ResultsStore.Open(path, create: false);
            var results = store.Read();
            var report = ReportWriter.Write(results, parse.GetValue(output) ?? results.Directory);
            if (parse.GetValue(json)) { Output.WriteJson(StudyView.Json(results, report, store.Path, null)); return 0; }
            StudyView.Render(results, report, store.Path);
            return 0;
        }));
        return command;
    }
}
