using System.CommandLine;
using FlipGuard.Charts;
using FlipGuard.Core;
using FlipGuard.Hessian;
using Spectre.Console;

namespace FlipGuard.Cli.Commands;

/// <summary><c>flipguard hessian CKPT</c>: how sharp is the minimum — trace, per-layer trace, top eigenvalues, density.</summary>
public static class HessianCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var checkpoint = CommonOptions.Checkpoint();
        var dataset = CommonOptions.DatasetOverride();
        var samples = new Option<int>("--samples") { Description = "Test samples the loss is averaged over (0 = the whole test split).", DefaultValueFactory = _ => 0 }.Within(NumericRange.NonNegative);
        var batch = new Option<int>("--batch-size") { Description = "Samples per forward pass (memory only; the result does not change).", DefaultValueFactory = _ => 500 }.Within(NumericRange.Positive);
        var probes = new Option<int>("--probes") { Description = "Maximum Hutchinson probes.", DefaultValueFactory = _ => 200 }.Within(NumericRange.Positive);
        var tolerance = new Option<double>("--tolerance") { Description = "Stop when the standard error is below this fraction of the mean |probe|.", DefaultValueFactory = _ => 0.01 }.Within(NumericRange.Fraction);
        var topK = new Option<int>("--top-k") { Description = "Top eigenvalues to compute (0 = none).", DefaultValueFactory = _ => 3 }.Within(new NumericRange(0, 1000));
        var method = new Option<string>("--method") { Description = "Eigenvalue method: lanczos (default: more accurate per Hessian-vector product) or power.", DefaultValueFactory = _ => "lanczos" }.AcceptOnlyFromAmong("lanczos", "power");
        var layers = new Option<string>("--layers") { Description = "Parameters the Hessian covers: all, last:N, or layer names.", DefaultValueFactory = _ => "all" };
        var density = new Option<string?>("--density") { Description = "Also estimate the eigenvalue density and write it as a PNG plot to this path." };
        var trainMode = new Option<bool>("--train-mode") { Description = "Keep batch norm/dropout in training mode (default: evaluation mode)." };
        var seed = CommonOptions.Seed();
        var dataDir = CommonOptions.DataDir();
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var command = new Command("hessian", "Measure the loss curvature of a checkpoint on its test set: Hessian trace (total and per layer), top eigenvalues, eigenvalue density.")
        {
            checkpoint, dataset, samples, batch, probes, tolerance, topK, method, layers, density, trainMode, seed, dataDir, threads, json,
        };
        command.SetAction(CommandRunner.Action((parse, token) =>
        {
            TorchSession.Configure(parse.GetValue(threads), "cpu");
            bool quiet = parse.GetValue(json);
            using var c = CheckpointWithData.Load(parse.GetValue(checkpoint)!, parse.GetValue(dataset), parse.GetValue(dataDir), 0);
            var trace = new HutchinsonOptions(parse.GetValue(probes), Math.Min(8, Math.Max(1, parse.GetValue(probes))), parse.GetValue(tolerance), parse.GetValue(seed));
            string? densityPath = parse.GetValue(density);
            var options = new HessianOptions(LayerSelection.Parse(parse.GetValue(layers)!), parse.GetValue(samples), parse.GetValue(batch), trace,
                parse.GetValue(topK), parse.GetValue(method)!, densityPath is null ? 0 : 4, parse.GetValue(trainMode));
            var report = ProgressView.Run(quiet, "Hessian", 1, bar => HessianAnalysis.Run(c.Model, c.Data.Test.Images, c.Data.Test.Labels, options,
                new ProgressRelay<HessianProgress>(p =>
                {
                    bar.Description = $"{p.Stage} {p.Done}/{p.Total}";
                    bar.Value = p.Stage == "trace" ? 0.8 * p.Done / p.Total : p.Done > 0 ? 1 : 0.8;
                }), token));
            if (densityPath is not null && report.Density is { } d)
                PngChart.Lines(densityPath, $"Hessian eigenvalue density — {c.Metadata.Model.Architecture}", "eigenvalue", "density (log scale)",
                    [("stochastic Lanczos quadrature", d.Grid, d.Density.Select(v => Math.Max(v, 1e-8 * d.Density.Max())).ToArray())], logY: true);
            if (quiet) { Output.WriteJson(new { checkpoint = c.Path, report }); return 0; }
            Render(report, c.Path, densityPath);
            return 0;
        }));
        return command;
    }

    private static void Render(HessianReport r, string path, string? densityPath)
    {
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(path)}[/]: {r.Parameters:N0} parameters ({Markup.Escape(r.Layers)}), {r.Samples:N0} samples, loss {r.Loss:F4}");
        AnsiConsole.MarkupLine($"Hessian trace [bold]{r.Trace.Mean:G5}[/] ± {r.Trace.StandardError:G3} (s.e., {r.Trace.Probes} probes{(r.Trace.Converged ? "" : ", probe limit reached")})");
        var table = Output.Table("layer", "parameters", "trace", "± s.e.", "share");
        foreach (var l in r.Trace.Layers)
            table.AddRow(Markup.Escape(l.Layer), l.Parameters.ToString("N0"), l.Mean.ToString("G5"), l.StandardError.ToString("G3"),
                r.Trace.Mean != 0 ? Output.Percent(l.Mean / r.Trace.Mean) : "-");
        AnsiConsole.Write(table);
        if (r.TopEigenvalues is { } top)
            AnsiConsole.MarkupLine($"Top eigenvalues ({top.Method}, {top.HessianVectorProducts} Hessian-vector products): [bold]{string.Join(", ", top.Values.Select(v => v.ToString("G5")))}[/]");
        if (densityPath is not null) AnsiConsole.MarkupLine($"Density plot: [bold]{Markup.Escape(densityPath)}[/]");
        AnsiConsole.MarkupLine($"{r.HessianVectorProducts} Hessian-vector products in {r.Seconds:F1}s");
    }
}
