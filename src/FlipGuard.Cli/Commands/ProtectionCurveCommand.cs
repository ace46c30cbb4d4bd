using System.CommandLine;
using System.Globalization;
using FlipGuard.Core;
using FlipGuard.Defenses.Ecc;
using FlipGuard.Defenses.Ranking;
using FlipGuard.Faults.Encodings;
using FlipGuard.Faults.Targets;
using FlipGuard.Sweeps;
using Spectre.Console;

namespace FlipGuard.Cli.Commands;

/// <summary>
/// <c>flipguard protection-curve CKPT --sweep DIR</c>: how much selective ECC buys when the protected words are chosen by
/// the Hessian-guided prediction, by weight magnitude, at random, or by the sweep itself (the oracle), judged against
/// an unprotected sweep's per-flip results.
/// </summary>
public static class ProtectionCurveCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var checkpoint = CommonOptions.Checkpoint();
        var sweep = new Option<string>("--sweep") { Description = "Output folder of an unsampled, complete 'flipguard sweep' of this checkpoint (its journal is read).", Required = true };
        var fractions = new Option<string>("--fractions") { Description = "Protected shares of 64-bit words, comma separated.", DefaultValueFactory = _ => "0.001,0.005,0.01,0.02,0.05,0.1" };
        var scoring = new HessianScoring();
        var seed = CommonOptions.Seed();
        var dataDir = CommonOptions.DataDir();
        var threads = CommonOptions.Threads();
        var output = new Option<string?>("--output", "-o") { Description = "Write the result as JSON to this file as well." };
        var json = CommonOptions.Json();
        var command = new Command("protection-curve", "Residual vulnerable bits against the share of words protected by ECC, for Hessian-guided, magnitude, random and oracle rankings.")
        {
            checkpoint, sweep, fractions, scoring.Probes, scoring.Samples, seed, dataDir, threads, output, json,
        };
        command.SetAction(CommandRunner.Action((parse, token) =>
        {
            bool quiet = parse.GetValue(json);
            var ks = parse.GetValue(fractions)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(f =>
                double.TryParse(f, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v is >= 0 and <= 1 ? v
                    : throw new FlipGuardException($"--fractions: '{f}' is not a share in [0, 1]")).ToList();
            TorchSession.Configure(parse.GetValue(threads), "cpu");
            string dir = parse.GetValue(sweep)!;
            if (!Directory.Exists(dir)) throw new FlipGuardException($"{dir}: no such sweep folder");
            if (parse.GetValue(output) is { } planned) AtomicFile.CheckWritable(planned);
            var result = SweepMerge.Merge([dir]);
            var d = result.Definition;
            if (d.Defense is not null) throw new FlipGuardException($"{dir}: a sweep through a defense ({d.Defense}); the curve needs an undefended sweep");
            string path = parse.GetValue(checkpoint)!;
            using var c = CheckpointWithData.Load(path, d.Dataset, parse.GetValue(dataDir), 0);
            if (c.Metadata.WeightsSha256 != d.CheckpointSha256) throw new FlipGuardException($"{dir}: the sweep was made from other weights than {path}");
            var target = FlipTarget.Create(c.Model, WeightEncodings.Parse(d.Encoding));
            var truth = EntryVulnerability.From(result);
            long seedValue = parse.GetValue(seed);
            var rankings = new List<EntryScores>
            {
                scoring.Score(parse, target, c.Data.Train, result.Sites.Bits, seedValue, quiet, token),
                EntryScores.Magnitude(target),
                EntryScores.Random(target, unchecked((ulong)seedValue)),
                ProtectionCurve.OracleScores(target, truth),
            };
            int perWord = EccWords.EntriesPerWord(target);
            var curves = rankings.Select(r => ProtectionCurve.Compute(r, truth, perWord, ks)).ToList();
            var quality = rankings.Select(r => RankingQuality.Compute(r, truth, ks)).ToList();
            var report = new { checkpoint = c.Path, sweep = Path.GetFullPath(dir), bits = d.Bits, parameters = d.Parameters, encoding = d.Encoding, entriesPerWord = perWord, curves, quality };
            if (parse.GetValue(output) is { } o) AtomicFile.WriteText(o, Output.Serialize(report));
            if (quiet) { Output.WriteJson(report); return 0; }
            Render(curves, quality);
            return 0;
        }));
        return command;
    }

    private static void Render(IReadOnlyList<ProtectionCurve> curves, IReadOnlyList<RankingQuality> quality)
    {
        var first = curves[0];
        AnsiConsole.MarkupLine($"[bold]Protection curve[/]: {first.Words:N0} words, {first.Total90:N0} flips with RAD 90–100% and {first.TotalAbove10:N0} with RAD > 10% unprotected");
        var t = Output.Table(["protected words", .. curves.Select(c => $"{c.Ranking}: residual 90–100%")]);
        for (int i = 0; i < first.Points.Count; i++)
            t.AddRow([$"{first.Points[i].Fraction:P2} ({first.Points[i].ProtectedWords:N0})", .. curves.Select(c => c.Points[i].Residual90.ToString("N0"))]);
        t.AddRow(["words for a 90% cut", .. curves.Select(c => $"{c.Cut90.ProtectedWords:N0} ({c.Cut90.Fraction:P2}, {c.Cut90.CheckBits:N0} check bits)")]);
        AnsiConsole.Write(t);
        var q = Output.Table("ranking", "Spearman ρ (score vs worst RAD)", "k", "precision / recall, erratic", "precision / recall, 90–100%");
        foreach (var r in quality)
            foreach (var k in r.AtK)
                q.AddRow(r.Ranking, r.Spearman.ToString("F3"), k.Fraction.ToString("P1"), $"{k.PrecisionErratic:P1} / {k.RecallErratic:P1}", $"{k.PrecisionCritical:P1} / {k.RecallCritical:P1}");
        AnsiConsole.Write(q);
    }
}
