using System.CommandLine;
using FlipGuard.Charts;
using FlipGuard.Core;
using FlipGuard.Hessian;
using Spectre.Console;

namespace FlipGuard.Cli.Commands;

/// <summary><c>flipguard landscape CKPT</c>: PNG plots of the loss along the top Hessian eigenvectors.</summary>
public static class LandscapeCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var checkpoint = CommonOptions.Checkpoint();
        var dataset = CommonOptions.DatasetOverride();
        var output = new Option<string>("--output", "-o") { Description = "Folder for landscape-1d.png, landscape-2d.png and landscape.json.", DefaultValueFactory = _ => "landscape" };
        var radius = new Option<double>("--radius") { Description = "Largest step along each unit eigenvector (parameter-space distance).", DefaultValueFactory = _ => 1.0 }.Within(NumericRange.PositiveReal);
        var points = new Option<int>("--points") { Description = "Grid points per direction.", DefaultValueFactory = _ => 21 }.Within(new NumericRange(2, 1001));
        var samples = new Option<int>("--samples") { Description = "Test samples the loss is averaged over.", DefaultValueFactory = _ => 1000 }.Within(NumericRange.Positive);
        var layers = new Option<string>("--layers") { Description = "Parameters the directions live in: all, last:N or layer names.", DefaultValueFactory = _ => "all" };
        var oneD = new Option<bool>("--1d-only") { Description = "Skip the 2-D plane (points² loss evaluations)." };
        var seed = CommonOptions.Seed();
        var dataDir = CommonOptions.DataDir();
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var command = new Command("landscape", "Plot the loss along the top Hessian eigenvector (1-D) and over the top two (2-D).")
        {
            checkpoint, dataset, output, radius, points, samples, layers, oneD, seed, dataDir, threads, json,
        };
        command.SetAction(CommandRunner.Action((parse, token) =>
        {
            TorchSession.Configure(parse.GetValue(threads), "cpu");
            bool quiet = parse.GetValue(json);
            using var c = CheckpointWithData.Load(parse.GetValue(checkpoint)!, parse.GetValue(dataset), parse.GetValue(dataDir), 0);
            var hessian = HessianAnalysis.CreateOperator(c.Model, c.Data.Test.Images, c.Data.Test.Labels, LayerSelection.Parse(parse.GetValue(layers)!),
                parse.GetValue(samples), 500, trainMode: false, out _);
            int n = parse.GetValue(points);
            bool only1 = parse.GetValue(oneD);
            var result = ProgressView.Run(quiet, "landscape", n + (only1 ? 0 : n * n) + 1, bar =>
            {
                bar.Description = "top eigenvectors";
                var top = TopEigenvalues.ByLanczos(hessian, only1 ? 1 : 2, seed: parse.GetValue(seed), cancellation: token);
                bar.Description = "loss grid";
                return LossLandscape.Compute(hessian, top, parse.GetValue(radius), n, new ProgressRelay<int>(d => bar.Value = d + 1), token);
            });
            string dir = parse.GetValue(output)!;
            string arch = c.Metadata.Model.Architecture;
            var files = new List<string>
            {
                PngChart.Lines(Path.Combine(dir, "landscape-1d.png"), $"Loss along the top Hessian eigenvector — {arch} (λ₁ = {result.Eigenvalues[0]:G4})",
                    "step along u₁", "test loss", [("loss", result.Offsets, result.Loss1D)]),
            };
            if (result.Loss2D is { } plane)
                files.Add(PngChart.Heatmap(Path.Combine(dir, "landscape-2d.png"), $"Loss over the top-2 eigen-plane — {arch}", "step along u₁", "step along u₂",
                    result.Offsets, result.Offsets, plane, "test loss"));
            AtomicFile.WriteText(Path.Combine(dir, "landscape.json"), System.Text.Json.JsonSerializer.Serialize(new
            {
                checkpoint = c.Path, result.Offsets, result.Loss1D, result.Eigenvalues,
                loss2D = result.Loss2D is null ? null : Enumerable.Range(0, n).Select(j => Enumerable.Range(0, n).Select(i => result.Loss2D[j, i]).ToArray()).ToArray(),
            }));
            if (quiet) Output.WriteJson(new { files, result.Eigenvalues });
            else foreach (string f in files) AnsiConsole.MarkupLine($"Wrote [bold]{Markup.Escape(f)}[/]");
            return 0;
        }));
        return command;
    }
}
