using System.CommandLine;
using FlipGuard.Attacks;
using FlipGuard.Charts;
using FlipGuard.Core;
using FlipGuard.Faults.Encodings;
using FlipGuard.Faults.Evaluation;
using FlipGuard.Faults.Targets;
using FlipGuard.Workflows;
using Spectre.Console;

namespace FlipGuard.Cli.Commands;

/// <summary><c>flipguard attack CKPT [CKPT…]</c>: the targeted bit-flip attack (BFA, progressive bit search), several seeds per model.</summary>
public static class AttackCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var checkpoints = new Argument<string[]>("checkpoints") { Description = "One or more .fgc checkpoints (e.g. plain and Hessian-aware; compared on one chart).", Arity = ArgumentArity.OneOrMore };
        var dataset = CommonOptions.DatasetOverride();
        var encodingOptions = new EncodingOptions(WeightEncodings.Int8, "--float32", WeightEncodings.Float32, "Attack the float32 weights (default bits: exponent) instead of the int8-quantised model.");
        var bits = new Option<string?>("--bits") { Description = "Bits the attack may flip (default: all for int8, exponent for float32)." };
        var attack = new AttackArguments();
        var seed = CommonOptions.Seed();
        var limit = CommonOptions.Limit();
        var chunk = new Option<int>("--chunk") { Description = "Samples per forward pass of the test evaluation.", DefaultValueFactory = _ => NaiveFlipEvaluator.DefaultChunk }.Within(NumericRange.Positive);
        var output = new Option<string?>("--output", "-o") { Description = "Output folder (default runs/attack-<checkpoint name>; with several checkpoints one subfolder each)." };
        var resume = new Option<bool>("--resume") { Description = "Continue the journal in the output folder (after a crash, kill or Ctrl+C)." };
        var dataDir = CommonOptions.DataDir();
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var command = new Command("attack", "Targeted bit-flip attack (progressive bit search, Rakin et al. 2019): flip the bits that raise the loss most until accuracy falls to chance.")
        {
            checkpoints, dataset, bits, seed, limit, chunk, output, resume, dataDir, threads, json,
        };
        foreach (var o in attack.All.Concat(encodingOptions.All)) command.Options.Add(o);
        command.SetAction(CommandRunner.Action((parse, token) =>
        {
            var encoding = encodingOptions.Resolve(parse);
            bool quiet = parse.GetValue(json);
            var bitSelection = BitSelection.Parse(parse.GetValue(bits) ?? (encoding.IsInteger ? "all" : "exponent"), encoding);
            string[] paths = parse.GetValue(checkpoints)!;
            var baseOptions = attack.Build(parse, bitSelection, unchecked((ulong)parse.GetValue(seed)), parse.GetValue(resume), parse.GetValue(chunk), encoding);
            int n = baseOptions.Seeds.Count;
            TorchSession.Configure(parse.GetValue(threads), "cpu");
            string outDir = parse.GetValue(output) ?? Path.Combine("runs", "attack-" + Path.GetFileNameWithoutExtension(paths[0]));
            var results = new List<(string Name, string Checkpoint, string Directory, AttackResult Result)>();
            foreach (string path in paths)
            {
                string name = Path.GetFileNameWithoutExtension(path);
                string dir = paths.Length == 1 ? outDir : Path.Combine(outDir, name);
                using var c = CheckpointWithData.Load(path, parse.GetValue(dataset), parse.GetValue(dataDir), parse.GetValue(limit));
                var model = c.UnderTest(encoding);
                var options = baseOptions with { JournalDirectory = Path.Combine(dir, "journal") };
                var result = ProgressView.Run(quiet, $"attack {name}", n, bar => AttackWorkflow.Run(model, options, progress: new ProgressRelay<AttackProgress>(p =>
                    {
                        double drop = p.CleanAccuracy <= p.TargetAccuracy ? 1 : (p.CleanAccuracy - p.Accuracy) / (p.CleanAccuracy - p.TargetAccuracy);
                        double within = Math.Clamp(Math.Max(drop, p.MaxFlips == 0 ? 1 : (double)p.Flips / p.MaxFlips), 0, 1);
                        bar.Value = p.SeedIndex + within;
                        bar.Description = $"attack {name} seed {p.SeedIndex + 1}/{p.Seeds} · {p.Flips} flips · accuracy {p.Accuracy:P1} (target {p.TargetAccuracy:P1})";
                    }), cancel: token));
                AttackOutput.Write(dir, name, path, result);
                results.Add((name, path, Path.GetFullPath(dir), result));
            }
            if (paths.Length > 1)
            {
                AttackCharts.AccuracyVsFlips(Path.Combine(outDir, "accuracy-vs-flips.png"), results.Select(r => (r.Name, r.Result)).ToList());
                AttackOutput.WriteJson(Path.Combine(outDir, "summary.json"), results.Select(r => AttackOutput.Summary(r.Checkpoint, r.Result)).ToList());
            }
            if (quiet) { Output.WriteJson(new { output = Path.GetFullPath(outDir), models = results.Select(r => AttackOutput.Summary(r.Checkpoint, r.Result)).ToList() }); return 0; }
            AttackOutput.Render(results.Select(r => (r.Name, r.Result)).ToList());
            AnsiConsole.MarkupLine($"wrote [bold]{Markup.Escape(Path.GetFullPath(outDir))}[/] (summary.json, trajectory.csv, accuracy-vs-flips.png)");
            return 0;
        }));
        return command;
    }
}
