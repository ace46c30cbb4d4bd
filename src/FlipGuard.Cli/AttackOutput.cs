using FlipGuard.Attacks;
using FlipGuard.Charts;
using FlipGuard.Core;
using Spectre.Console;

namespace FlipGuard.Cli;

/// <summary>What an attack run leaves behind (summary.json, trajectory.csv, accuracy-vs-flips.png) and prints, shared by <c>attack</c> and <c>defend --run attack</c>.</summary>
public static class AttackOutput
{
    /// <summary>Writes one model's files into <paramref name="dir"/>; <paramref name="extra"/> (e.g. the defense's overhead) joins summary.json.</summary>
    public static void Write(string dir, string name, string checkpoint, AttackResult result, object? extra = null)
    {
        OutputFolder.Create(dir);
        AttackTrajectoryCsv.Write(Path.Combine(dir, "trajectory.csv"), result);
        AttackCharts.AccuracyVsFlips(Path.Combine(dir, "accuracy-vs-flips.png"), [(name, result)]);
        WriteJson(Path.Combine(dir, "summary.json"), Summary(checkpoint, result, extra));
    }

    /// <summary>What summary.json holds: the checkpoint, the headline numbers (with a defense: detections and repaired accuracy) and every trajectory.</summary>
    public static object Summary(string checkpoint, AttackResult r, object? extra = null) => new
    {
        checkpoint,
        r.CleanAccuracy,
        r.TargetAccuracy,
        seeds = r.Trajectories.Count,
        r.Reached,
        meanFlipsToTarget = r.MeanFlips,
        stdFlipsToTarget = r.StdFlips,
        flipsToTarget = r.Trajectories.Select(t => t.FlipsToTarget).ToList(),
        defense = r.Definition.Repair is null ? null : new
        {
            name = r.Definition.Repair,
            targetOnRepairedAccuracy = r.Definition.TargetOnRepaired,
            flips = r.Trajectories.Select(t => t.Steps.Count).ToList(),
            detectedFlips = r.Trajectories.Select(t => t.DetectedFlips).ToList(),
            firstDetectedFlip = r.Trajectories.Select(t => t.FirstDetectedFlip).ToList(),
            finalAccuracy = r.Trajectories.Select(t => t.Steps.Count == 0 ? r.CleanAccuracy : t.Steps[^1].Accuracy).ToList(),
            finalRepairedAccuracy = r.Trajectories.Select(t => t.Steps.Count == 0 ? r.CleanAccuracy : (double)(t.Steps[^1].RepairedCorrect ?? 0) / r.Definition.Samples).ToList(),
            details = extra,
        },
        r.ResumedSeeds,
        r.Seconds,
        r.Definition,
        r.Trajectories,
    };

    /// <summary>Writes <paramref name="value"/> as JSON (temporary file, then rename).</summary>
    public static void WriteJson(string path, object value)
    {
        AtomicFile.WriteText(path, Output.Serialize(value));
    }

    /// <summary>The table of flips to target per model (with a defense: detections and repaired accuracy per seed).</summary>
    public static void Render(IReadOnlyList<(string Name, AttackResult Result)> results)
    {
        var r0 = results[0].Result;
        var d = r0.Definition;
        AnsiConsole.MarkupLine($"[bold]Progressive bit search[/] {d.Encoding}, bits {Markup.Escape(d.Bits)}, top-k {d.TopK}, batch {d.BatchSize}, budget {d.MaxFlips}"
            + (d.Repair is null ? "" : $", defense {Markup.Escape(d.Repair)} (target judged on the {(d.TargetOnRepaired ? "repaired" : "undefended")} accuracy)"));
        var t = Output.Table("model", "clean accuracy", "target", "reached", "flips to target (mean ± std)", "per seed");
        if (d.Repair is not null) { t.AddColumn("detected flips per seed"); t.AddColumn("repaired accuracy at the end"); }
        foreach (var (name, r) in results)
        {
            var row = new List<string>
            {
                Markup.Escape(name), Output.Percent(r.CleanAccuracy), Output.Percent(r.TargetAccuracy), $"{r.Reached}/{r.Trajectories.Count}",
                double.IsNaN(r.MeanFlips) ? "-" : $"{r.MeanFlips:F1} ± {(double.IsNaN(r.StdFlips) ? "-" : r.StdFlips.ToString("F1"))}",
                string.Join(" ", r.Trajectories.Select(x => x.FlipsToTarget?.ToString() ?? $">{x.Steps.Count}")),
            };
            if (d.Repair is not null)
            {
                row.Add(string.Join(" ", r.Trajectories.Select(x => $"{x.DetectedFlips}/{x.Steps.Count}")));
                row.Add(string.Join(" ", r.Trajectories.Select(x => x.Steps.Count == 0 ? "-" : Output.Percent((double)(x.Steps[^1].RepairedCorrect ?? 0) / r.Definition.Samples))));
            }
            t.AddRow(row.ToArray());
        }
        AnsiConsole.Write(t);
    }
}
