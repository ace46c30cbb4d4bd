using System.CommandLine;
using FlipGuard.Models;
using Spectre.Console;

namespace FlipGuard.Cli.Commands;

/// <summary><c>flipguard eval CKPT</c>: verify a checkpoint and measure its test accuracy.</summary>
public static class EvalCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var checkpoint = CommonOptions.Checkpoint();
        var dataset = CommonOptions.DatasetOverride();
        var limit = CommonOptions.Limit();
        var dataDir = CommonOptions.DataDir();
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var command = new Command("eval", "Check a checkpoint's integrity and measure its test accuracy.") { checkpoint, dataset, limit, dataDir, threads, json };
        command.SetAction(CommandRunner.Action((parse, _) =>
        {
            TorchSession.Configure(parse.GetValue(threads), "cpu");
            using var c = CheckpointWithData.Load(parse.GetValue(checkpoint)!, parse.GetValue(dataset), parse.GetValue(dataDir), parse.GetValue(limit));
            double acc = Evaluator.Accuracy(c.Model, c.Data.Test.Images, c.Data.Test.Labels);
            var meta = c.Metadata;
            var result = new EvalResult(c.Path, meta.Model.ToString(), c.Dataset, c.Data.Test.Count, acc, meta.CleanAccuracy, meta.WeightsSha256, meta.HeaderHashed);
            if (parse.GetValue(json)) { Output.WriteJson(result); return 0; }
            var table = Output.Table("checkpoint", "model", "dataset", "samples", "accuracy", "at training", "weights SHA-256");
            table.AddRow(Markup.Escape(c.Path), Markup.Escape(result.Model), c.Dataset, result.Samples.ToString("N0"), Output.Percent(acc),
                meta.CleanAccuracy is { } clean ? Output.Percent(clean) : "-", meta.WeightsSha256[..16] + "…");
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine(meta.HeaderHashed
                ? "Weights and header (model, input shape, normalisation, recipe, recorded accuracy) match their SHA-256."
                : "Weights match their SHA-256. [yellow]The header predates header hashing: its model, normalisation and recipe passed the range checks but no hash covers them.[/]");
            return 0;
        }));
        return command;
    }

    private sealed record EvalResult(string Checkpoint, string Model, string Dataset, int Samples, double Accuracy, double? AccuracyAtTraining, string WeightsSha256, bool HeaderHashed);
}
