using System.CommandLine;
using FlipGuard.Checkpoints;
using FlipGuard.Data;
using FlipGuard.Training;
using Spectre.Console;

namespace FlipGuard.Cli.Commands;

/// <summary><c>flipguard eval CKPT</c>: verify a checkpoint and measure its test accuracy.</summary>
public static class EvalCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var checkpoint = new Argument<string>("checkpoint") { Description = "A .fgc checkpoint written by 'flipguard train'." };
        var dataset = new Option<string?>("--dataset", "-d") { Description = "Evaluate on this dataset instead of the one the checkpoint was trained on." };
        var limit = new Option<int>("--limit") { Description = "Evaluate on the first N test samples only (0 = all)." };
        var dataDir = CommonOptions.DataDir();
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var command = new Command("eval", "Check a checkpoint's integrity and measure its test accuracy.") { checkpoint, dataset, limit, dataDir, threads, json };
        command.SetAction(CommandRunner.Action((parse, _) =>
        {
            TorchSession.Configure(parse.GetValue(threads), "cpu");
            string path = parse.GetValue(checkpoint)!;
            int n = parse.GetValue(limit);
            if (n < 0) throw new FlipGuardException($"--limit must be ≥ 0, got {n}");
            var (meta, model) = CheckpointFile.Load(path);
            using (model)
            {
                string name = parse.GetValue(dataset) ?? meta.Dataset;
                var normalization = meta.NormalizationMean.Length > 0 ? new Normalization(meta.NormalizationMean, meta.NormalizationStd) : null;
                using var data = LoadedData.Load(name, parse.GetValue(dataDir), normalization, n > 0 ? n : null);
                if (data.Shape.Channels != meta.Model.Channels || data.Shape.Height != meta.Model.Height || data.Shape.Width != meta.Model.Width || data.Classes != meta.Model.Classes)
                    throw new FlipGuardException($"{path}: model expects {meta.Model.Channels}x{meta.Model.Height}x{meta.Model.Width} images in {meta.Model.Classes} classes, dataset {name} has {data.Shape} in {data.Classes}");
                double acc = Evaluator.Accuracy(model, data.Test.Images, data.Test.Labels);
                var result = new EvalResult(path, meta.Model.ToString(), name, data.Test.Count, acc, meta.CleanAccuracy, meta.WeightsSha256);
                if (parse.GetValue(json)) { Output.WriteJson(result); return 0; }
                var table = Output.Table("checkpoint", "model", "dataset", "samples", "accuracy", "at training", "weights SHA-256");
                table.AddRow(Markup.Escape(path), Markup.Escape(result.Model), name, result.Samples.ToString("N0"), Output.Percent(acc),
                    meta.CleanAccuracy is { } c ? Output.Percent(c) : "-", meta.WeightsSha256[..16] + "…");
                AnsiConsole.Write(table);
            }
            return 0;
        }));
        return command;
    }

    private sealed record EvalResult(string Checkpoint, string Model, string Dataset, int Samples, double Accuracy, double? AccuracyAtTraining, string WeightsSha256);
}
