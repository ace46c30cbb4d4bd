using System.CommandLine;
using FlipGuard.Attacks;
using FlipGuard.Core;
using FlipGuard.Defenses;
using FlipGuard.Faults.Encodings;
using FlipGuard.Faults.Evaluation;
using FlipGuard.Faults.Targets;
using FlipGuard.Injection;
using FlipGuard.Sweeps;
using FlipGuard.Sweeps.Storage;
using FlipGuard.Workflows;
using Spectre.Console;

namespace FlipGuard.Cli.Commands;

/// <summary>
/// <c>flipguard defend CKPT --defense radar|guard|ecc|hessian-ecc --run sweep|attack|inject</c>: protect the model with a
/// run-time defense and rerun the bit-flip sweep (each flip as the defense's check leaves it), the targeted attack or
/// random multi-bit faults through it, reporting overhead, detections and what the defended model keeps.
/// </summary>
public static class DefendCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var checkpoint = CommonOptions.Checkpoint();
        var dataset = CommonOptions.DatasetOverride();
        var defense = new Option<string>("--defense") { Description = $"{DefenseCatalog.Default.Help}.", Required = true }
            .AcceptOnlyFromAmong([.. DefenseCatalog.Default.Names]);
        var defenseSettings = new SettingOptions(DefenseCatalog.Default.Settings);
        var run = new Option<string>("--run") { Description = "What to run through the defense: sweep (every single flip), attack (BFA; the target is judged on the repaired accuracy) or inject (random faults).", DefaultValueFactory = _ => "sweep" }
            .AcceptOnlyFromAmong("sweep", "attack", "inject");
        var attack = new AttackArguments();
        var inject = new InjectArguments();
        var scoring = new HessianScoring();
        var bits = new Option<string?>("--bits") { Description = "Bits to flip (as for sweep; default all, for a float32 attack exponent)." };
        var parameters = new Option<string>("--params") { Description = "sweep: entries to flip (as for sweep), e.g. sample:2000.", DefaultValueFactory = _ => "all" };
        var limit = CommonOptions.Limit();
        var encodingOptions = new EncodingOptions(WeightEncodings.Float32, "--int8", WeightEncodings.Int8, "Quantise weights to int8 and flip bits of the integers (the defense then covers the integers).");
        var naive = new Option<bool>("--naive") { Description = "sweep: use the naive oracle for single-entry outcomes too." };
        var chunk = new Option<int>("--chunk") { Description = "Samples per forward pass (as for sweep).", DefaultValueFactory = _ => NaiveFlipEvaluator.DefaultChunk }.Within(NumericRange.Positive);
        var output = new Option<string?>("--output", "-o") { Description = "Output folder (default runs/defend-<checkpoint name>-<defense>, -attack / -inject appended for those runs)." };
        var resume = new Option<bool>("--resume") { Description = "Continue the journal in the output folder." };
        var records = new Option<bool>("--records") { Description = "sweep: also write records.csv with one line per flip (post-defense accuracy)." };
        var seed = CommonOptions.Seed();
        var dataDir = CommonOptions.DataDir();
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var command = new Command("defend", "Wrap a checkpoint with a run-time defense and rerun the bit-flip sweep, the attack or random faults through it.")
        {
            checkpoint, dataset, defense, run,
        };
        foreach (var o in (IEnumerable<Option>)[.. defenseSettings.All, scoring.Probes, scoring.Samples, bits, parameters, limit, .. encodingOptions.All, naive, chunk, output, resume, records, seed, dataDir, threads, json])
            command.Options.Add(o);
        foreach (var o in attack.All.Concat(inject.All)) command.Options.Add(o);
        command.SetAction(CommandRunner.Action((parse, token) =>
        {
            var encoding = encodingOptions.Resolve(parse);
            bool quiet = parse.GetValue(json);
            string mode = parse.GetValue(run)!;
            RefuseForeign(parse, mode, "sweep", [parameters, naive, records]);
            RefuseForeign(parse, mode, "attack", attack.All);
            RefuseForeign(parse, mode, "inject", inject.All);
            var bitSelection = BitSelection.Parse(parse.GetValue(bits) ?? (mode == "attack" && !encoding.IsInteger ? "exponent" : "all"), encoding);
            ulong seedBits = unchecked((ulong)parse.GetValue(seed));
            var attackOptions = mode == "attack" ? attack.Build(parse, bitSelection, seedBits, parse.GetValue(resume), parse.GetValue(chunk), encoding) : null;
            var injectOptions = mode == "inject" ? inject.Build(parse, bitSelection, seedBits, parse.GetValue(resume), parse.GetValue(chunk)) : null;
            var paramSelection = ParameterSelection.Parse(parse.GetValue(parameters)!);
            long seedValue = parse.GetValue(seed);
            int chunkSize = parse.GetValue(chunk);
            TorchSession.Configure(parse.GetValue(threads), "cpu");
            string path = parse.GetValue(checkpoint)!, kind = parse.GetValue(defense)!;
            defenseSettings.RefuseUnused(parse, DefenseCatalog.Default.Find(kind)?.Settings ?? [], $"--defense {kind}");
            using var c = CheckpointWithData.Load(path, parse.GetValue(dataset), parse.GetValue(dataDir), parse.GetValue(limit));
            var model = c.UnderTest(encoding);
            var target = model.Target;

            var choice = new DefenseChoice(kind, SettingValues.Empty.Read(DefenseCatalog.Default.Settings, defenseSettings.From(parse)));
            var shield = choice.Create(target, () => scoring.Score(parse, target, c.Data.Train, bitSelection.Bits.ToList(), seedValue, quiet, token),
                unchecked((ulong)seedValue));
            string name = Path.GetFileNameWithoutExtension(path);
            string outDir = parse.GetValue(output) ?? Path.Combine("runs", $"defend-{name}-{kind}" + (mode == "sweep" ? "" : "-" + mode));
            var overhead = new { defense = shield.Name, overhead = shield.Overhead, extraBitsPerWeight = shield.Overhead.ExtraBitsPerWeight, extraFraction = shield.Overhead.ExtraFraction };
            if (attackOptions is not null)
                return RunAttack(model, shield, attackOptions, name, path, outDir, overhead, quiet, token);
            if (injectOptions is not null)
                return RunInjection(model, shield, injectOptions, name, path, outDir, overhead, quiet, token);
            using var sweep = new SweepWorkflow(model, chunkSize, parse.GetValue(naive));
            var options = new SweepOptions(bitSelection, paramSelection)
            {
                Seed = unchecked((ulong)seedValue), JournalDirectory = SweepJournal.PathIn(outDir), Resume = parse.GetValue(resume),
            };
            var screening = sweep.Screen(shield, options, token);
            var result = ProgressView.Run(quiet, "defended sweep", 1, bar => sweep.Run(options, shield,
                new ProgressRelay<SweepProgress>(p =>
                {
                    bar.Value = p.Total == 0 ? 1 : (double)p.Done / p.Total;
                    bar.Description = $"defended sweep {p.Done:N0}/{p.Total:N0} flips · {p.FlipsPerSecond:N0} flips/s";
                }), token));
            var (summary, files) = SweepOutput.Write(outDir, result, c.Metadata.Model.Architecture, parse.GetValue(records));
            var report = new { defense = shield.Name, overhead = shield.Overhead, extraBitsPerWeight = shield.Overhead.ExtraBitsPerWeight, extraFraction = shield.Overhead.ExtraFraction, screening };
            string reportPath = Path.GetFullPath(Path.Combine(outDir, "defense.json"));
            AtomicFile.WriteText(reportPath, Output.Serialize(report));
            if (quiet) { Output.WriteJson(new { checkpoint = c.Path, output = Path.GetFullPath(outDir), seconds = result.Seconds, report, summary }); return 0; }
            Render(shield, screening);
            SweepOutput.Render(summary, [.. files, reportPath], result.Seconds);
            return 0;
        }));
        return command;
    }

    private static int RunAttack(ModelUnderTest model, IDefense shield, AttackOptions baseOptions, string name, string path, string outDir,
        object overhead, bool quiet, CancellationToken token)
    {
        var options = baseOptions with { JournalDirectory = Path.Combine(outDir, "journal") };
        int n = options.Seeds.Count;
        var result = ProgressView.Run(quiet, $"attack {name} through {shield.Name}", n, bar => AttackWorkflow.Run(model, options, shield,
            new ProgressRelay<AttackProgress>(p =>
            {
                bar.Value = p.SeedIndex + Math.Clamp(p.MaxFlips == 0 ? 1 : (double)p.Flips / p.MaxFlips, 0, 1);
                bar.Description = $"attack {name} seed {p.SeedIndex + 1}/{p.Seeds} · {p.Flips} flips · defended accuracy {p.Accuracy:P1} (target {p.TargetAccuracy:P1})";
            }), token));
        AttackOutput.Write(outDir, name, path, result, overhead);
        AttackOutput.WriteJson(Path.Combine(outDir, "defense.json"), overhead);
        if (quiet) { Output.WriteJson(new { output = Path.GetFullPath(outDir), models = new[] { AttackOutput.Summary(path, result, overhead) } }); return 0; }
        AttackOutput.Render([(name, result)]);
        AnsiConsole.MarkupLine($"wrote [bold]{Markup.Escape(Path.GetFullPath(outDir))}[/] (summary.json, trajectory.csv, accuracy-vs-flips.png, defense.json)");
        return 0;
    }

    private static int RunInjection(ModelUnderTest model, IDefense shield, InjectionOptions baseOptions, string name, string path, string outDir,
        object overhead, bool quiet, CancellationToken token)
    {
        var options = baseOptions with { JournalDirectory = Path.Combine(outDir, "journal") };
        var result = ProgressView.Run(quiet, $"inject {name} through {shield.Name}", 1, bar => InjectionWorkflow.Run(model, options, shield,
            new ProgressRelay<InjectionProgress>(p =>
            {
                bar.Value = p.Total == 0 ? 1 : (double)p.Done / p.Total;
                bar.Description = $"inject {name} {p.Done:N0}/{p.Total:N0} trials · level {p.Level:G3}";
            }), token));
        InjectionOutput.Write(outDir, name, path, result, overhead);
        AttackOutput.WriteJson(Path.Combine(outDir, "defense.json"), overhead);
        if (quiet) { Output.WriteJson(new { output = Path.GetFullPath(outDir), models = new[] { InjectionOutput.Summary(path, result, overhead) } }); return 0; }
        InjectionOutput.Render(name, result);
        AnsiConsole.MarkupLine($"wrote [bold]{Markup.Escape(Path.GetFullPath(outDir))}[/] (summary.json, trials.csv, accuracy-vs-ber.png, defense.json)");
        return 0;
    }

    /// <summary>Options that belong to another <c>--run</c> than <paramref name="mode"/> are a user error, not silently ignored.</summary>
    private static void RefuseForeign(ParseResult parse, string mode, string owner, IEnumerable<Option> options)
    {
        if (mode == owner) return;
        foreach (var o in options)
            if (parse.GetResult(o) is { Implicit: false })
                throw new FlipGuardException($"{o.Name} applies to --run {owner} only, not --run {mode}");
    }

    private static void Render(IDefense shield, DefenseScreening s)
    {
        var o = shield.Overhead;
        AnsiConsole.MarkupLine($"[bold]Defense[/] {Markup.Escape(shield.Name)}");
        var t = Output.Table("measure", "value");
        t.AddRow("extra storage", $"{o.ExtraBits:N0} bits ({o.ExtraBitsPerWeight:F4} bits per weight, {Output.Percent(o.ExtraFraction)} of the weights' bits)");
        t.AddRow("entries covered", $"{o.ProtectedEntries:N0} of {o.Entries:N0}");
        t.AddRow("flips detected", $"{s.Detected:N0} of {s.Flips:N0} ({Output.Percent(s.Flips == 0 ? 0 : (double)s.Detected / s.Flips)})");
        t.AddRow("flips undone", s.Neutralised.ToString("N0"));
        t.AddRow("flips left as one changed entry", s.Single.ToString("N0"));
        t.AddRow("flips that zeroed a group", s.Multi.ToString("N0"));
        AnsiConsole.Write(t);
    }
}
