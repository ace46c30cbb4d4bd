using System.CommandLine;
using System.Globalization;
using FlipGuard.Faults;
using FlipGuard.Reports;
using Spectre.Console;

namespace FlipGuard.Cli.Commands;

/// <summary><c>flipguard inject CKPT [CKPT…]</c>: random bit flips at given bit-error rates (or exact counts), many seeded trials each.</summary>
public static class InjectCommand
{
    private const string DefaultRates = "1e-9,1e-8,1e-7,1e-6,1e-5,1e-4,1e-3";

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var checkpoints = new Argument<string[]>("checkpoints") { Description = "One or more .fgc checkpoints (compared on one chart).", Arity = ArgumentArity.OneOrMore };
        var dataset = CommonOptions.DatasetOverride();
        var ber = new Option<string?>("--ber") { Description = $"Bit-error rates, comma-separated: every selected bit flips independently with that probability (default {DefaultRates})." };
        var flips = new Option<string?>("--flips") { Description = "Instead of rates: numbers of bits, comma-separated; each trial flips exactly that many distinct random bits." };
        var trials = new Option<int>("--trials") { Description = "Seeded trials per rate or count.", DefaultValueFactory = _ => 100 };
        var int8 = new Option<bool>("--int8") { Description = "Quantise weight tensors to int8 (symmetric, per tensor) and flip bits of the integers; biases stay float32 and are not hit." };
        var bits = new Option<string>("--bits") { Description = "Bit positions that can be hit: all, exponent, sign, … or positions like 23-30 (int8: 0-7).", DefaultValueFactory = _ => "all" };
        var seed = CommonOptions.Seed();
        var limit = CommonOptions.Limit();
        var chunk = new Option<int>("--chunk") { Description = "Samples per forward pass.", DefaultValueFactory = _ => NaiveFlipEvaluator.DefaultChunk };
        var output = new Option<string?>("--output", "-o") { Description = "Output folder (default runs/inject-<checkpoint name>; with several checkpoints one subfolder each)." };
        var resume = new Option<bool>("--resume") { Description = "Continue the journal in the output folder (after a crash, kill or Ctrl+C)." };
        var dataDir = CommonOptions.DataDir();
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var command = new Command("inject", "Random bit flips at given bit-error rates or counts: the accuracy distribution over many seeded trials.")
        {
            checkpoints, dataset, ber, flips, trials, int8, bits, seed, limit, chunk, output, resume, dataDir, threads, json,
        };
        command.SetAction(CommandRunner.Action((parse, token) =>
        {
            bool q = parse.GetValue(int8), quiet = parse.GetValue(json);
            string? berText = parse.GetValue(ber), flipsText = parse.GetValue(flips);
            if (berText is not null && flipsText is not null) throw new FlipGuardException("give either --ber or --flips, not both");
            var mode = flipsText is null ? InjectionMode.BitErrorRate : InjectionMode.FixedCount;
            var levels = mode == InjectionMode.BitErrorRate ? ParseList(berText ?? DefaultRates, "--ber") : ParseList(flipsText!, "--flips");
            var bitSelection = BitSelection.Parse(parse.GetValue(bits)!, q);
            string[] paths = parse.GetValue(checkpoints)!;
            var baseOptions = new InjectionOptions(mode, levels, bitSelection)
            {
                Trials = parse.GetValue(trials),
                Seed = unchecked((ulong)parse.GetValue(seed)),
                Resume = parse.GetValue(resume),
                Chunk = parse.GetValue(chunk),
            };
            RandomFaultInjection.Validate(baseOptions);
            TorchSession.Configure(parse.GetValue(threads), "cpu");
            string outDir = parse.GetValue(output) ?? Path.Combine("runs", "inject-" + Path.GetFileNameWithoutExtension(paths[0]));
            var results = new List<(string Name, string Checkpoint, InjectionResult Result)>();
            foreach (string path in paths)
            {
                string name = Path.GetFileNameWithoutExtension(path);
                string dir = paths.Length == 1 ? outDir : Path.Combine(outDir, name);
                using var c = CheckpointWithData.Load(path, parse.GetValue(dataset), parse.GetValue(dataDir), parse.GetValue(limit));
                var target = FlipTarget.Create(c.Model, q);
                var options = baseOptions with { JournalDirectory = Path.Combine(dir, "journal"), CheckpointSha256 = c.Metadata.WeightsSha256, Dataset = c.Dataset };
                var result = ProgressView.Run(quiet, $"inject {name}", 1, bar => RandomFaultInjection.Run(target, c.Data.Test.Images, c.Data.Test.Labels, options,
                    new SynchronousProgress<InjectionProgress>(p =>
                    {
                        bar.Value = p.Total == 0 ? 1 : (double)p.Done / p.Total;
                        bar.Description = $"inject {name} {p.Done:N0}/{p.Total:N0} trials · level {p.Level:G3} · ETA {Eta(p.Remaining)}";
                    }), token));
                Directory.CreateDirectory(dir);
                InjectionTrialsCsv.Write(Path.Combine(dir, "trials.csv"), result);
                InjectionCharts.AccuracyVsLevel(Path.Combine(dir, "accuracy-vs-ber.png"), [(name, result)]);
                WriteJson(Path.Combine(dir, "summary.json"), Summary(path, result));
                results.Add((name, path, result));
            }
            if (paths.Length > 1)
            {
                InjectionCharts.AccuracyVsLevel(Path.Combine(outDir, "accuracy-vs-ber.png"), results.Select(r => (r.Name, r.Result)).ToList());
                WriteJson(Path.Combine(outDir, "summary.json"), results.Select(r => Summary(r.Checkpoint, r.Result)).ToList());
            }
            if (quiet) { Output.WriteJson(new { output = Path.GetFullPath(outDir), models = results.Select(r => Summary(r.Checkpoint, r.Result)).ToList() }); return 0; }
            foreach (var (name, _, r) in results) Render(name, r);
            AnsiConsole.MarkupLine($"wrote [bold]{Markup.Escape(Path.GetFullPath(outDir))}[/] (summary.json, trials.csv, accuracy-vs-ber.png)");
            return 0;
        }));
        return command;
    }

    private static double[] ParseList(string text, string flag)
    {
        var values = new List<double>();
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
                throw new FlipGuardException($"{flag} {text}: '{part}' is not a number");
            values.Add(v);
        }
        if (values.Distinct().Count() != values.Count) throw new FlipGuardException($"{flag} {text}: a value is repeated");
        return values.ToArray();
    }

    private static object Summary(string checkpoint, InjectionResult r) => new
    {
        checkpoint,
        r.CleanAccuracy,
        r.PopulationBits,
        r.ResumedTrials,
        r.Seconds,
        r.Definition,
        r.Levels,
    };

    private static void WriteJson(string path, object value)
    {
        string full = Path.GetFullPath(path);
        File.WriteAllText(full + ".tmp", Output.Serialize(value));
        File.Move(full + ".tmp", full, overwrite: true);
    }

    private static void Render(string name, InjectionResult r)
    {
        var d = r.Definition;
        AnsiConsole.MarkupLine($"[bold]Random faults[/] {Markup.Escape(name)}: {(d.Int8 ? "int8" : "float32")}, bits {Markup.Escape(d.Bits)}, {r.PopulationBits:N0} bits, {d.Trials} trials per level, clean accuracy {Output.Percent(r.CleanAccuracy)}");
        var t = Output.Table(d.Mode == InjectionMode.BitErrorRate ? "bit-error rate" : "flipped bits", "mean flips", "mean acc.", "median", "5th pct", "RAD > 10%", "RAD > 90%");
        foreach (var l in r.Levels)
            t.AddRow(l.Level.ToString("G3", CultureInfo.InvariantCulture), l.MeanFlips.ToString("F2"), Output.Percent(l.Accuracy.Mean), Output.Percent(l.Accuracy.Median),
                Output.Percent(l.Accuracy.P5), Output.Percent(l.Accuracy.FractionRadAbove10), Output.Percent(l.Accuracy.FractionRadAbove90));
        AnsiConsole.Write(t);
    }

    private static string Eta(TimeSpan? t) => t is not { } v || v.TotalDays > 99 ? "?" : v.TotalHours >= 1 ? $"{(int)v.TotalHours}h{v.Minutes:D2}m" : $"{v.Minutes}m{v.Seconds:D2}s";
}
