using FlipGuard.Charts;
using FlipGuard.Core;
using FlipGuard.Faults.Encodings;
using FlipGuard.Statistics;
using FlipGuard.Sweeps;
using FlipGuard.Sweeps.Storage;
using Spectre.Console;

namespace FlipGuard.Cli;

/// <summary>
/// What <c>sweep</c> and <c>merge</c> leave in their output folder (<c>summary.json</c>, the PNG charts, optionally
/// <c>records.csv</c>) and the table of headline numbers they print.
/// </summary>
public static class SweepOutput
{
    /// <summary>Writes the files and returns the summary and the paths written.</summary>
    public static (SweepSummary Summary, IReadOnlyList<string> Files) Write(string directory, SweepResult result, string modelName, bool records)
    {
        var summary = SweepSummary.From(result);
        OutputFolder.Create(directory);
        string path = Path.GetFullPath(Path.Combine(directory, "summary.json"));
        AtomicFile.WriteText(path, Output.Serialize(summary));
        var files = new List<string> { path };
        files.AddRange(SweepCharts.Write(directory, summary, modelName));
        if (records)
        {
            string csv = Path.GetFullPath(Path.Combine(directory, "records.csv"));
            FlipRecordsCsv.Write(csv, result);
            files.Add(csv);
        }
        return (summary, files);
    }

    /// <summary>Prints the headline numbers as tables.</summary>
    public static void Render(SweepSummary s, IReadOnlyList<string> files, double seconds)
    {
        var o = s.Overall;
        var d = s.Definition;
        AnsiConsole.MarkupLine($"[bold]Bit-flip sweep[/] bits {Markup.Escape(d.Bits)}, params {Markup.Escape(d.Parameters)}{(d.Encoding == WeightEncodings.Float32.Name ? "" : ", " + d.Encoding)}, shard(s) {Markup.Escape(s.Shards)}, evaluator {Markup.Escape(s.Evaluator)}");
        var t = Output.Table("measure", "value");
        t.AddRow("clean accuracy", $"{Output.Percent(s.CleanAccuracy)} ({s.CleanCorrect:N0}/{s.Samples:N0})");
        t.AddRow("flips evaluated", $"{s.FlipsEvaluated:N0} of {s.FlipsTotal:N0}{(s.Complete ? "" : " (incomplete: a shard, or unfinished)")}");
        t.AddRow("[bold]flips with RAD 90–100%[/]", $"[bold]{o.Rad90To100:N0}[/] ({Share(o.Rad90To100, o.Flips)})");
        t.AddRow("flips with RAD > 10%", $"{o.RadAbove10:N0} ({Share(o.RadAbove10, o.Flips)})");
        t.AddRow("flips that improved accuracy", $"{o.Improved:N0}");
        t.AddRow("erratic parameters (a flip with RAD > 10%)", $"{o.ErraticEntries:N0} of {o.Entries:N0} ({Output.Percent(o.ErraticFraction)})");
        if (s.Estimates is { } e)
        {
            t.AddRow($"est. flips with RAD 90–100% (of {e.PopulationFlips:N0})", Interval(e.Rad90To100Flips));
            t.AddRow("est. flips with RAD > 10%", Interval(e.RadAbove10Flips));
            t.AddRow($"est. erratic parameters (of {e.PopulationEntries:N0})", Interval(e.ErraticEntries));
        }
        AnsiConsole.Write(t);
        var bits = Output.Table("bit", "flips", "RAD > 10%", "RAD 90–100%");
        foreach (var g in s.PerBit.Where(g => g.RadAbove10 > 0 || s.PerBit.Count <= 8))
            bits.AddRow(g.Key, g.Flips.ToString("N0"), g.RadAbove10.ToString("N0"), g.Rad90To100.ToString("N0"));
        if (bits.Rows.Count > 0) AnsiConsole.Write(bits);
        var layers = Output.Table("layer", "flips", "RAD > 10%", "RAD 90–100%", "erratic parameters");
        foreach (var g in s.PerLayer)
            layers.AddRow(Markup.Escape(g.Key), g.Flips.ToString("N0"), g.RadAbove10.ToString("N0"), g.Rad90To100.ToString("N0"), $"{g.ErraticEntries:N0} ({Output.Percent(g.ErraticFraction)})");
        AnsiConsole.Write(layers);
        foreach (string f in files) AnsiConsole.MarkupLine($"wrote [bold]{Markup.Escape(f)}[/]");
        if (seconds > 0) AnsiConsole.MarkupLine($"{seconds:F1}s");
    }

    private static string Share(long count, long of) => of == 0 ? "-" : Output.Percent((double)count / of);

    private static string Interval(ProportionEstimate p) => $"{p.Estimate:N0} (95% CI {p.Low:N0}–{p.High:N0})";
}
