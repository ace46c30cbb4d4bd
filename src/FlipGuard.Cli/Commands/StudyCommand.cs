using System.CommandLine;
using FlipGuard.Core;
using FlipGuard.Studies;
using Spectre.Console;

namespace FlipGuard.Cli.Commands;

/// <summary><c>flipguard study CONFIG | --preset NAME</c>: train, analyse and report in one resumable command.</summary>
public static class StudyCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var file = new Argument<string?>("study") { Description = "A study file (YAML; see docs/studies.md).", Arity = ArgumentArity.ZeroOrOne };
        var preset = new Option<string?>("--preset") { Description = $"A built-in study instead of a file: {string.Join(", ", StudyPresets.Names)}." };
        var print = new Option<bool>("--print") { Description = "Print the study file (of --preset) and exit: a starting point for your own." };
        var output = new Option<string?>("--output", "-o") { Description = "Study folder (default: the file's 'output', else runs/study-NAME). Rerunning with the same folder continues the study." };
        var checkpoints = new Option<string?>("--checkpoints") { Description = "Checkpoint folder (default: the file's 'checkpoints', else STUDY/checkpoints); studies sharing one reuse each other's models." };
        var dataDir = CommonOptions.DataDir();
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var command = new Command("study", "Train every recipe of a study (or reuse finished checkpoints), run its analyses (Hessian statistics, bit-flip sweep, …) and write report.md, report.html and results.db. A killed study continues when rerun.")
        {
            file, preset, print, output, checkpoints, dataDir, threads, json,
        };
        command.SetAction(CommandRunner.Action((parse, token) =>
        {
            string? path = parse.GetValue(file), presetName = parse.GetValue(preset);
            if ((path is null) == (presetName is null)) throw new FlipGuardException("give a study file or --preset NAME (not both)");
            if (parse.GetValue(print))
            {
                Console.Out.Write(presetName is not null ? StudyPresets.Text(presetName) : File.Exists(path) ? File.ReadAllText(path!) : throw new FlipGuardException($"{path}: study file not found"));
                return 0;
            }
            var config = presetName is not null ? StudyPresets.Load(presetName) : StudyConfig.Load(path!);
            TorchSession.Configure(parse.GetValue(threads), "cpu");
            string dir = parse.GetValue(output) ?? config.Output ?? Path.Combine("runs", "study-" + config.Name);
            var options = new StudyRunOptions(dir) { CheckpointDirectory = parse.GetValue(checkpoints) ?? config.Checkpoints, DataDirectory = parse.GetValue(dataDir) };
            bool quiet = parse.GetValue(json);
            if (!quiet) AnsiConsole.MarkupLine($"Study [bold]{Markup.Escape(config.Name)}[/]: {config.Recipes.Count} recipes × {config.Architectures.Count} architecture(s) × {config.Seeds.Count} seed(s) on {Markup.Escape(config.Dataset)}; analyses: {Markup.Escape(string.Join(", ", config.Analyses.Select(a => a.Name)))}; folder [bold]{Markup.Escape(Path.GetFullPath(dir))}[/]");
            try
            {
                var (run, results, report) = StudyView.RunAndReport(config, options, quiet, token);
                if (quiet) { Output.WriteJson(StudyView.Json(results, report, run.Database, run)); return 0; }
                StudyView.Render(results, report, run.Database);
                AnsiConsole.MarkupLine($"Finished in {run.Seconds / 60:F1} min: {run.ModelsTrained} model(s) trained, {run.ModelsReused} reused; {run.AnalysesRun} analyses run, {run.AnalysesReused} reused from the store.");
                return 0;
            }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine($"flipguard: study cancelled; finished steps are kept in {Path.Combine(Path.GetFullPath(dir), "results.db")} — rerun the same command to continue");
                return Shutdown.ExitCode;
            }
        }));
        return command;
    }
}
