using System.Text.Json;
using System.Text.Json.Serialization;
using FlipGuard.Charts;
using FlipGuard.Checkpoints;
using FlipGuard.Core;
using FlipGuard.Faults.Encodings;
using FlipGuard.Faults.Evaluation;
using FlipGuard.Faults.Targets;
using FlipGuard.Studies.Results;
using FlipGuard.Sweeps;
using FlipGuard.Sweeps.Storage;
using FlipGuard.Workflows;

namespace FlipGuard.Studies.Analyses;

/// <summary>The bit-flip sweep of a study (<c>analyses.sweep</c>): what <c>flipguard sweep</c> runs, per model.</summary>
/// <param name="Bits">Bit selection (<c>all</c>, <c>exponent-msb</c>, …).</param>
/// <param name="Parameters">Parameter selection (<c>all</c>, <c>sample:N</c>, …).</param>
/// <param name="Limit">First N test samples (0 = all).</param>
/// <param name="Encoding">The weight encoding swept (<c>encoding:</c>, or <c>int8: true</c>); hashed under the <c>int8</c> key it had as a flag, so float32 and int8 keep their keys.</param>
/// <param name="Seed">Seed of <c>sample:N</c>.</param>
/// <param name="Chunk">Samples per forward pass (part of the definition; see docs/sweeps.md).</param>
/// <param name="BlockSize">Flips per journal block (the most work a kill can lose).</param>
public sealed record SweepStudySettings(string Bits, string Parameters, int Limit,
    [property: JsonPropertyName("int8"), JsonConverter(typeof(EncodingFlagJsonConverter))] string Encoding, long Seed, int Chunk, int BlockSize)
{
    /// <summary>Reads <c>analyses.sweep</c>; every key is optional (default: every bit of every parameter on the whole test split).</summary>
    public static SweepStudySettings Parse(StudySection s)
    {
        var v = new SweepStudySettings(s.String("bits", "all"), s.String("params", "all"), s.Int("limit", 0), s.Encoding("int8", WeightEncodings.Int8, WeightEncodings.Float32).Name,
            s.Int("seed", 0), s.Int("chunk", NaiveFlipEvaluator.DefaultChunk), s.Int("block-size", 4096));
        s.RejectUnknown(["bits", "params", "limit", "encoding", "int8", "seed", "chunk", "block-size"]);
        try { BitSelection.Parse(v.Bits, WeightEncodings.Parse(v.Encoding)); }
        catch (FlipGuardException e) { throw s.Error("bits", $"analyses.sweep.bits: {e.Message}"); }
        try { ParameterSelection.Parse(v.Parameters); }
        catch (FlipGuardException e) { throw s.Error("params", $"analyses.sweep.params: {e.Message}"); }
        if (v.Limit < 0 || v.Chunk < 1 || v.BlockSize < 1) throw s.Error("analyses.sweep: limit must be ≥ 0, chunk and block-size ≥ 1");
        return v;
    }
}

/// <summary>
/// Flips every selected bit alone and counts what breaks: the paper's headline numbers (bits with RAD 90–100%,
/// erratic parameters) per model, the per-bit and RAD-histogram series, and the sweep's own three charts.
/// Resumes from its journal after a kill.
/// </summary>
public sealed class SweepStudyAnalysis(SweepStudySettings settings) : IStudyAnalysis
{
    /// <summary>Metric and series names.</summary>
    public const string Rad90 = "sweep.rad90", RadAbove10 = "sweep.rad-above-10", Erratic = "sweep.erratic-fraction",
        PerBit = "sweep.rad90-per-bit", Histogram = "sweep.histogram";

    /// <inheritdoc />
    public string Name => "sweep";

    /// <inheritdoc />
    public object Settings => settings;

    private IWeightEncoding Encoding => WeightEncodings.Parse(settings.Encoding);

    private string Scope => $"{(Encoding == WeightEncodings.Float32 ? "" : Encoding.Name + " ")}bits {settings.Bits}, params {settings.Parameters}";

    /// <inheritdoc />
    public IReadOnlyList<MetricKind> Metrics =>
    [
        new(Erratic, "erratic params", MetricFormat.Percent, Better.Lower, false, $"Share of parameters with at least one single-bit flip of RAD > 10% ({Scope}).{SampledNote}"),
        new(Rad90, "bits RAD 90–100%", MetricFormat.Count, Better.Lower, true, $"Bits whose single flip costs 90–100% of the clean accuracy (RAD = relative accuracy drop; {Scope}).{SampledNote}"),
        new(RadAbove10, "bits RAD > 10%", MetricFormat.Count, Better.Lower, false, $"Bits whose single flip costs more than 10% of the clean accuracy ({Scope}).{SampledNote}"),
    ];

    private string SampledNote => settings.Parameters.Contains("sample:", StringComparison.Ordinal)
        ? " Estimated over the whole selection from the sampled parameters (95% Wilson interval)." : "";

    /// <inheritdoc />
    public IReadOnlyList<SeriesKind> Series =>
    [
        new(PerBit, "Bits with RAD 90–100% per bit position", $"bit (0 = mantissa LSB, {Encoding.SignBit} = sign)", "flips (log scale)", true),
        new(Histogram, "RAD of single bit flips", "relative accuracy drop (RAD)", "flips (log scale)", true),
    ];

    /// <inheritdoc />
    public AnalysisOutcome Run(StudyAnalysisContext context, CancellationToken cancellation)
    {
        using var sweep = new SweepWorkflow(context.UnderTest(settings.Limit, Encoding), settings.Chunk);
        var options = new SweepOptions(BitSelection.Parse(settings.Bits, Encoding), ParameterSelection.Parse(settings.Parameters))
        {
            Seed = unchecked((ulong)settings.Seed),
            BlockSize = settings.BlockSize,
            JournalDirectory = SweepJournal.PathIn(context.WorkDirectory),
            Resume = true,
        };
        var result = sweep.Run(options, progress:
            new ProgressRelay<SweepProgress>(p => context.Report(p.Total == 0 ? 1 : (double)p.Done / p.Total, $"{p.Done:N0}/{p.Total:N0} flips · {p.FlipsPerSecond:N0} flips/s")), cancel: cancellation);
        var s = SweepSummary.From(result);
        var o = s.Overall;
        var metrics = s.Estimates is { } e
            ? new List<MetricValue>
            {
                new(Erratic, e.ErraticEntries.Estimate / e.PopulationEntries, e.ErraticEntries.Low / e.PopulationEntries, e.ErraticEntries.High / e.PopulationEntries),
                new(Rad90, e.Rad90To100Flips.Estimate, e.Rad90To100Flips.Low, e.Rad90To100Flips.High),
                new(RadAbove10, e.RadAbove10Flips.Estimate, e.RadAbove10Flips.Low, e.RadAbove10Flips.High),
            }
            : [new(Erratic, o.ErraticFraction), new(Rad90, o.Rad90To100), new(RadAbove10, o.RadAbove10)];
        var series = new List<SeriesValue>
        {
            new(PerBit, s.PerBit.Select(g => g.Key).ToList(), s.PerBit.Select(g => (double)g.Rad90To100).ToList()),
            new(Histogram, ["improved", .. s.HistogramBins], [o.Improved, .. o.Histogram.Select(v => (double)v)]),
        };
        var charts = SweepCharts.Write(context.WorkDirectory, s, context.Model.DisplayName);
        string[] captions = ["RAD histogram", "harmful flips per bit position", "harmful flips per layer"];
        var artifacts = charts.Select((path, i) => context.Artifact(path, $"{context.Model.DisplayName}: {captions[Math.Min(i, captions.Length - 1)]}")).ToList();
        return new AnalysisOutcome(metrics, series, artifacts, JsonSerializer.Serialize(s, CheckpointFile.JsonOptions), result.Seconds);
    }
}
