using System.CommandLine;
using FlipGuard.Charts;
using FlipGuard.Core;
using FlipGuard.Faults.Encodings;
using FlipGuard.Faults.Evaluation;
using FlipGuard.Faults.Targets;
using FlipGuard.Injection;
using FlipGuard.Workflows;
using Spectre.Console;

namespace FlipGuard.Cli.Commands;

/// <summary><c>flipguard inject CKPT [CKPT…]</c>: random bit flips at given bit-error rates (or exact counts), many seeded trials each.</summary>
public static class InjectCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var checkpoints = new Argument<string[]>("checkpoints") { Description = "One or more .fgc checkpoints (compared on one chart).", Arity = ArgumentArity.OneOrMore };
        var dataset = CommonOptions.DatasetOverride();
        var inject = new InjectArguments();
        var encodingOptions = new EncodingOptions(WeightEncodings.Float32, "--int8", WeightEncodings.Int8, "Quantise weight tensors to int8 (symmetric, per tensor) and flip bits of the integers; biases stay float32 and are not hit.");
        var bits = new Option<string>("--bits") { Description = "Bit positions that can be hit: all, exponent, sign, … or positions like 23-30 (int8: 0-7).", DefaultValueFactory = _ => "all" };
        var seed = CommonOptions.Seed();
        var limit = CommonOptions.Limit();
        var chunk = new Option<int>("--chunk") { Description = "Samples per forward pass.", DefaultValueFactory = _ => NaiveFlipEvaluator.DefaultChunk }.Within(NumericRange.Positive);
        var output = new Option<string?>("--output", "-o") { Description = "Output folder (default runs/inject-<checkpoint name>; with several checkpoints one subfolder each)." };
        var resume = new Option<bool>("--resume") { Description = "Continue the journal in the output folder (after a crash, kill or Ctrl+C)." };
        var dataDir = CommonOptions.DataDir();
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var command = new Command("inject", "Random bit flips at given bit-error rates or counts: the accuracy distribution over many seeded trials.")
        {
            checkpoints, dataset, bits, seed, limit, chunk, output, resume, dataDir, threads, json,
        };
        foreach (var o in inject.All.Concat(encodingOptions.All)) command.Options.Add(o);
        command.SetAction(CommandRunner.Action((parse, token) =>
        {
            var encoding = encodingOptions.Resolve(parse);
            bool quiet = parse.GetValue(json);
            var bitSelection = BitSelection.Parse(parse.GetValue(bits)!, encoding);
            string[] paths = parse.GetValue(checkpoints)!;
            var baseOptions = inject.Build(parse, bitSelection, unchecked((ulong)parse.GetValue(seed)), parse.GetValue(resume), parse.GetValue(chunk));
            TorchSession.Configure(parse.GetValue(threads), "cpu");
            string outDir = parse.GetValue(output) ?? Path.Combine("runs", "inject-" + Path.GetFileNameWithoutExtension(paths[0]));
            var results = new List<(string Name, string Checkpoint, InjectionResult Result)>();
            foreach (string path in paths)
            {
                string name = Path.GetFileNameWithoutExtension(path);
                string dir = paths.Length == 1 ? outDir : Path.Combine(outDir, name);
                using var c = CheckpointWithData.Load(path, parse.GetValue(dataset), parse.GetValue(dataDir), parse.GetValue(limit));
                var model = c.UnderTest(encoding);
                var options = baseOptions with { JournalDirectory = Path.Combine(dir, "journal") };
                var result = ProgressView.Run(quiet, $"inject {name}", 1, bar => InjectionWorkflow.Run(model, options, progress:
                    new ProgressRelay<InjectionProgress>(p =>
                    {
                        bar.Value = p.Total == 0 ? 1 : (double)p.Done / p.Total;
                        bar.Description = $"inject {name} {p.Done:N0}/{p.Total:N0} trials · level {p.Level:G3} · ETA {Eta(p.Remaining)}";
                    }), cancel: token));
                InjectionOutput.Write(dir, name, path, result);
                results.Add((name, path, result));
            }
            if (paths.Length > 1)
            {
                InjectionCharts.AccuracyVsLevel(Path.Combine(outDir, "accuracy-vs-ber.png"), results.Select(r => (r.Name, r.Result)).ToList());
                AttackOutput.WriteJson(Path.Combine(outDir, "summary.json"), results.Select(r => InjectionOutput.Summary(r.Checkpoint, r.Result)).ToList());
            }
            if (quiet) { Output.WriteJson(new { output = Path.GetFullPath(outDir), models = results.Select(r => InjectionOutput.Summary(r.Checkpoint, r.Result)).ToList() }); return 0; }
            foreach (var (name, _, r) in results) InjectionOutput.Render(name, r);
            AnsiConsole.MarkupLine($"wrote [bold]{Markup.Escape(Path.GetFullPath(outDir))}[/] (summary.json, trials.csv, accuracy-vs-ber.png)");
            return 0;
        }));
        return command;
    }

    private static string Eta(TimeSpan? t) => t is not { } v || v.TotalDays > 99 ? "?" : v.TotalHours >= 1 ? $"{(int)v.TotalHours}h{v.Minutes:D2}m" : $"{v.Minutes}m{v.Seconds:D2}s";
}
