using System.CommandLine;
using FlipGuard.Attacks;
using FlipGuard.Faults;
using FlipGuard.Reports;
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
        var float32 = new Option<bool>("--float32") { Description = "Attack the float32 weights (default bits: exponent) instead of the int8-quantised model." };
        var bits = new Option<string?>("--bits") { Description = "Bits the attack may flip (default: all for int8, exponent for float32)." };
        var topK = new Option<int>("--top-k") { Description = "Candidates per tensor whose loss is evaluated each iteration.", DefaultValueFactory = _ => 10 };
        var batch = new Option<int>("--batch") { Description = "Attack-batch size, drawn from the training split (never from the test set).", DefaultValueFactory = _ => 128 };
        var targetAcc = new Option<double?>("--target-accuracy") { Description = "Stop at this test accuracy, as a fraction (default: chance + 1 point, e.g. 0.11 for 10 classes)." };
        var maxFlips = new Option<int>("--max-flips") { Description = "Flip budget per seed.", DefaultValueFactory = _ => 100 };
        var seeds = new Option<int>("--seeds") { Description = "Number of attacks (attack batches) per model; seeds --seed … --seed+N−1.", DefaultValueFactory = _ => 5 };
        var seed = CommonOptions.Seed();
        var limit = CommonOptions.Limit();
        var chunk = new Option<int>("--chunk") { Description = "Samples per forward pass of the test evaluation.", DefaultValueFactory = _ => NaiveFlipEvaluator.DefaultChunk };
        var output = new Option<string?>("--output", "-o") { Description = "Output folder (default runs/attack-<checkpoint name>; with several checkpoints one subfolder each)." };
        var resume = new Option<bool>("--resume") { Description = "Continue the journal in the output folder (after a crash, kill or Ctrl+C)." };
        var dataDir = CommonOptions.DataDir();
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var command = new Command("attack", "Targeted bit-flip attack (progressive bit search, Rakin et al. 2019): flip the bits that raise the loss most until accuracy falls to chance.")
        {
            checkpoints, dataset, float32, bits, topK, batch, targetAcc, maxFlips, seeds, seed, limit, chunk, output, resume, dataDir, threads, json,
        };
        command.SetAction(CommandRunner.Action((parse, token) =>
        {
            bool int8 = !parse.GetValue(float32), quiet = parse.GetValue(json);
            var bitSelection = BitSelection.Parse(parse.GetValue(bits) ?? (int8 ? "all" : "exponent"), int8);
            int n = parse.GetValue(seeds);
            if (n < 1) throw new FlipGuardException($"--seeds must be ≥ 1, got {n}");
            ulong first = unchecked((ulong)parse.GetValue(seed));
            string[] paths = parse.GetValue(checkpoints)!;
            var baseOptions = new AttackOptions(bitSelection)
            {
                TopK = parse.GetValue(topK),
                BatchSize = parse.GetValue(batch),
                TargetAccuracy = parse.GetValue(targetAcc),
                MaxFlips = parse.GetValue(maxFlips),
                Seeds = Enumerable.Range(0, n).Select(i => first + (ulong)i).ToArray(),
                Resume = parse.GetValue(resume),
                Chunk = parse.GetValue(chunk),
            };
            ProgressiveBitSearch.Validate(baseOptions, int8 ? Int8Quantizer.Count : Float32Bits.Count);
            TorchSession.Configure(parse.GetValue(threads), "cpu");
            string outDir = parse.GetValue(output) ?? Path.Combine("runs", "attack-" + Path.GetFileNameWithoutExtension(paths[0]));
            var results = new List<(string Name, string Checkpoint, string Directory, AttackResult Result)>();
            foreach (string path in paths)
            {
                string name = Path.GetFileNameWithoutExtension(path);
                string dir = paths.Length == 1 ? outDir : Path.Combine(outDir, name);
                using var c = CheckpointWithData.Load(path, parse.GetValue(dataset), parse.GetValue(dataDir), parse.GetValue(limit));
                var target = FlipTarget.Create(c.Model, int8);
                var options = baseOptions with { JournalDirectory = Path.Combine(dir, "journal"), CheckpointSha256 = c.Metadata.WeightsSha256, Dataset = c.Dataset };
                var result = ProgressView.Run(quiet, $"attack {name}", n, bar => ProgressiveBitSearch.Run(target, c.Data.Train.Images, c.Data.Train.Labels,
                    c.Data.Test.Images, c.Data.Test.Labels, options, new SynchronousProgress<AttackProgress>(p =>
                    {
                        double drop = p.CleanAccuracy <= p.TargetAccuracy ? 1 : (p.CleanAccuracy - p.Accuracy) / (p.CleanAccuracy - p.TargetAccuracy);
                        double within = Math.Clamp(Math.Max(drop, p.MaxFlips == 0 ? 1 : (double)p.Flips / p.MaxFlips), 0, 1);
                        bar.Value = p.SeedIndex + within;
                        bar.Description = $"attack {name} seed {p.SeedIndex + 1}/{p.Seeds} · {p.Flips} flips · accuracy {p.Accuracy:P1} (target {p.TargetAccuracy:P1})";
                    }), token));
                Directory.CreateDirectory(dir);
                AttackTrajectoryCsv.Write(Path.Combine(dir, "trajectory.csv"), result);
                AttackCharts.AccuracyVsFlips(Path.Combine(dir, "accuracy-vs-flips.png"), [(name, result)]);
                WriteJson(Path.Combine(dir, "summary.json"), Summary(path, result));
                results.Add((name, path, Path.GetFullPath(dir), result));
            }
            if (paths.Length > 1)
            {
                AttackCharts.AccuracyVsFlips(Path.Combine(outDir, "accuracy-vs-flips.png"), results.Select(r => (r.Name, r.Result)).ToList());
                WriteJson(Path.Combine(outDir, "summary.json"), results.Select(r => Summary(r.Checkpoint, r.Result)).ToList());
            }
            if (quiet) { Output.WriteJson(new { output = Path.GetFullPath(outDir), models = results.Select(r => Summary(r.Checkpoint, r.Result)).ToList() }); return 0; }
            Render(results.Select(r => (r.Name, r.Result)).ToList());
            AnsiConsole.MarkupLine($"wrote [bold]{Markup.Escape(Path.GetFullPath(outDir))}[/] (summary.json, trajectory.csv, accuracy-vs-flips.png)");
            return 0;
        }));
        return command;
    }

    /// <summary>What summary.json holds: the checkpoint, the headline numbers and every trajectory.</summary>
    private static object Summary(string checkpoint, AttackResult r) => new
    {
        checkpoint,
        r.CleanAccuracy,
        r.TargetAccuracy,
        seeds = r.Trajectories.Count,
        r.Reached,
        meanFlipsToTarget = r.MeanFlips,
        stdFlipsToTarget = r.StdFlips,
        flipsToTarget = r.Trajectories.Select(t => t.FlipsToTarget).ToList(),
        r.ResumedSeeds,
        r.Seconds,
        r.Definition,
        r.Trajectories,
    };

    private static void WriteJson(string path, object value)
    {
        string full = Path.GetFullPath(path);
        File.WriteAllText(full + ".tmp", Output.Serialize(value));
        File.Move(full + ".tmp", full, overwrite: true);
    }

    private static void Render(IReadOnlyList<(string Name, AttackResult Result)> results)
    {
        var r0 = results[0].Result;
        AnsiConsole.MarkupLine($"[bold]Progressive bit search[/] {(r0.Definition.Int8 ? "int8" : "float32")}, bits {Markup.Escape(r0.Definition.Bits)}, top-k {r0.Definition.TopK}, batch {r0.Definition.BatchSize}, budget {r0.Definition.MaxFlips}");
        var t = Output.Table("model", "clean accuracy", "target", "reached", "flips to target (mean ± std)", "per seed");
        foreach (var (name, r) in results)
            t.AddRow(Markup.Escape(name), Output.Percent(r.CleanAccuracy), Output.Percent(r.TargetAccuracy), $"{r.Reached}/{r.Trajectories.Count}",
                double.IsNaN(r.MeanFlips) ? "-" : $"{r.MeanFlips:F1} ± {(double.IsNaN(r.StdFlips) ? "-" : r.StdFlips.ToString("F1"))}",
                string.Join(" ", r.Trajectories.Select(x => x.FlipsToTarget?.ToString() ?? $">{x.Steps.Count}")));
        AnsiConsole.Write(t);
    }
}
