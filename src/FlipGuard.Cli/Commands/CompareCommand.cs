using System.CommandLine;
using System.Text;
using System.Text.RegularExpressions;
using FlipGuard.Checkpoints;
using FlipGuard.Core;
using FlipGuard.Studies;
using Spectre.Console;

namespace FlipGuard.Cli.Commands;

/// <summary><c>flipguard compare A.fgc B.fgc</c>: the two-model study — Hessian statistics and a sweep of both, one report, A as the reference.</summary>
public static partial class CompareCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var first = new Argument<string>("reference") { Description = "The reference checkpoint (A)." };
        var second = new Argument<string>("candidate") { Description = "The checkpoint compared with it (B)." };
        var bits = new Option<string>("--bits") { Description = "Sweep bits (as in 'flipguard sweep').", DefaultValueFactory = _ => "all" };
        var parameters = new Option<string>("--params") { Description = "Sweep parameters; the default samples 20,000 entries and estimates the totals with 95% intervals.", DefaultValueFactory = _ => "sample:20000" };
        var limit = CommonOptions.Limit();
        var probes = new Option<int>("--probes") { Description = "Maximum Hutchinson probes for the Hessian trace.", DefaultValueFactory = _ => 100 }.Within(NumericRange.Positive);
        var output = new Option<string?>("--output", "-o") { Description = "Study folder (default runs/compare-A-vs-B)." };
        var dataDir = CommonOptions.DataDir();
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var command = new Command("compare", "Compare two checkpoints: test accuracy, Hessian trace and top eigenvalue, bit-flip sweep; writes a study report (A is the reference).")
        {
            first, second, bits, parameters, limit, probes, output, dataDir, threads, json,
        };
        command.SetAction(CommandRunner.Action((parse, token) =>
        {
            string a = parse.GetValue(first)!, b = parse.GetValue(second)!;
            var metaA = CheckpointFile.ReadMetadata(a);
            var metaB = CheckpointFile.ReadMetadata(b);
            if (metaA.Dataset != metaB.Dataset) throw new FlipGuardException($"{a} was trained on {metaA.Dataset}, {b} on {metaB.Dataset}: compare models of one dataset");
            if (parse.GetValue(limit) < 0) throw new FlipGuardException($"--limit must be ≥ 0, got {parse.GetValue(limit)}");
            string nameA = Name(a), nameB = Name(b);
            if (nameA == nameB) (nameA, nameB) = (nameA + "-a", nameB + "-b");
            string text = StudyText(nameA, nameB, a, b, metaA, metaB, parse.GetValue(bits)!, parse.GetValue(parameters)!, parse.GetValue(limit), parse.GetValue(probes));
            var config = StudyConfig.Parse(text, "compare", Directory.GetCurrentDirectory());
            TorchSession.Configure(parse.GetValue(threads), "cpu");
            string dir = parse.GetValue(output) ?? Path.Combine("runs", $"compare-{nameA}-vs-{nameB}");
            bool quiet = parse.GetValue(json);
            var (run, results, report) = StudyView.RunAndReport(config, new StudyRunOptions(dir) { DataDirectory = parse.GetValue(dataDir) }, quiet, token);
            if (quiet) { Output.WriteJson(StudyView.Json(results, report, run.Database, run)); return 0; }
            StudyView.Render(results, report, run.Database);
            AnsiConsole.MarkupLine($"Finished in {run.Seconds:F0}s.");
            return 0;
        }));
        return command;
    }

    private static string StudyText(string nameA, string nameB, string a, string b, CheckpointMetadata metaA, CheckpointMetadata metaB, string bits, string parameters, int limit, int probes)
    {
        static string Q(string s) => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'";
        var t = new StringBuilder();
        t.AppendLine("# Written by 'flipguard compare'.");
        t.AppendLine($"name: {Q($"compare-{nameA}-vs-{nameB}")}");
        t.AppendLine($"dataset: {Q(metaA.Dataset)}");
        t.AppendLine($"architectures: [{string.Join(", ", new[] { metaA.Model.Architecture, metaB.Model.Architecture }.Distinct().Select(Q))}]");
        t.AppendLine("recipes:");
        t.AppendLine($"  - name: {Q(nameA)}").AppendLine($"    label: {Q(Path.GetFileName(a))}").AppendLine($"    checkpoint: {Q(Path.GetFullPath(a))}");
        t.AppendLine($"  - name: {Q(nameB)}").AppendLine($"    label: {Q(Path.GetFileName(b))}").AppendLine($"    checkpoint: {Q(Path.GetFullPath(b))}");
        t.AppendLine("analyses:");
        t.AppendLine("  hessian:").AppendLine($"    probes: {probes}").AppendLine("    top-k: 1");
        t.AppendLine("  sweep:").AppendLine($"    bits: {Q(bits)}").AppendLine($"    params: {Q(parameters)}").AppendLine($"    limit: {limit}");
        return t.ToString();
    }

    private static string Name(string path)
    {
        string n = NotAllowed().Replace(Path.GetFileNameWithoutExtension(path), "-").Trim('-');
        return n.Length == 0 ? "model" : n;
    }

    [GeneratedRegex("[^A-Za-z0-9._-]+")]
    private static partial Regex NotAllowed();
}
