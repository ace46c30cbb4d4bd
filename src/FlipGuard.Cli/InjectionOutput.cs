using FlipGuard.Core;
using System.Globalization;
using FlipGuard.Charts;
using FlipGuard.Injection;
using Spectre.Console;

namespace FlipGuard.Cli;

/// <summary>What a fault-injection run leaves behind (summary.json, trials.csv, accuracy-vs-ber.png) and prints, shared by <c>inject</c> and <c>defend --run inject</c>.</summary>
public static class InjectionOutput
{
    /// <summary>Writes one model's files into <paramref name="dir"/>; <paramref name="extra"/> (e.g. the defense's overhead) joins summary.json.</summary>
    public static void Write(string dir, string name, string checkpoint, InjectionResult result, object? extra = null)
    {
        OutputFolder.Create(dir);
        InjectionTrialsCsv.Write(Path.Combine(dir, "trials.csv"), result);
        InjectionCharts.AccuracyVsLevel(Path.Combine(dir, "accuracy-vs-ber.png"), [(name, result)]);
        AttackOutput.WriteJson(Path.Combine(dir, "summary.json"), Summary(checkpoint, result, extra));
    }

    /// <summary>What summary.json holds.</summary>
    public static object Summary(string checkpoint, InjectionResult r, object? extra = null) => new
    {
        checkpoint,
        r.CleanAccuracy,
        r.PopulationBits,
        r.ResumedTrials,
        r.Seconds,
        defense = r.Definition.Repair is null ? null : new { name = r.Definition.Repair, details = extra },
        r.Definition,
        r.Levels,
    };

    /// <summary>The accuracy distribution per level (with a defense: detection rate and repaired accuracy too).</summary>
    public static void Render(string name, InjectionResult r)
    {
        var d = r.Definition;
        AnsiConsole.MarkupLine($"[bold]Random faults[/] {Markup.Escape(name)}: {d.Encoding}, bits {Markup.Escape(d.Bits)}, {r.PopulationBits:N0} bits, {d.Trials} trials per level, clean accuracy {Output.Percent(r.CleanAccuracy)}"
            + (d.Repair is null ? "" : $", defense {Markup.Escape(d.Repair)}"));
        var t = Output.Table(d.Mode == InjectionMode.BitErrorRate ? "bit-error rate" : "flipped bits", "mean flips", "mean acc.", "median", "5th pct", "RAD > 10%", "RAD > 90%");
        if (d.Repair is not null) { t.AddColumn("detected"); t.AddColumn("repaired mean acc."); t.AddColumn("repaired RAD > 10%"); }
        foreach (var l in r.Levels)
        {
            var row = new List<string>
            {
                l.Level.ToString("G3", CultureInfo.InvariantCulture), l.MeanFlips.ToString("F2"), Output.Percent(l.Accuracy.Mean), Output.Percent(l.Accuracy.Median),
                Output.Percent(l.Accuracy.P5), Output.Percent(l.Accuracy.FractionRadAbove10), Output.Percent(l.Accuracy.FractionRadAbove90),
            };
            if (d.Repair is not null)
            {
                row.Add(l.DetectionRate is { } dr ? Output.Percent(dr) : "-");
                row.Add(l.RepairedAccuracy is { } ra ? Output.Percent(ra.Mean) : "-");
                row.Add(l.RepairedAccuracy is { } rb ? Output.Percent(rb.FractionRadAbove10) : "-");
            }
            t.AddRow(row.ToArray());
        }
        AnsiConsole.Write(t);
    }
}
