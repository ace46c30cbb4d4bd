using FlipGuard.Statistics;

namespace FlipGuard.Sweeps;

/// <summary>
/// The aggregate result of a sweep, as written to <c>summary.json</c>: definition, clean accuracy, the RAD
/// histogram, the counts of flips with RAD &gt; 10% and RAD in [90%, 100%] (the headline metric), erratic
/// parameter entries, all of these per bit position, per layer and per direction, and for sampled sweeps the
/// estimated totals over the whole selection. Equal sweeps give equal summaries (no timings in here).
/// </summary>
public sealed record SweepSummary(
    SweepDefinition Definition,
    string DefinitionSha256,
    string Shards,
    bool Complete,
    string Evaluator,
    int Samples,
    long CleanCorrect,
    double CleanAccuracy,
    long FlipsTotal,
    long FlipsEvaluated,
    IReadOnlyList<string> HistogramBins,
    SweepGroup Overall,
    IReadOnlyList<SweepGroup> PerBit,
    IReadOnlyList<SweepGroup> PerLayer,
    IReadOnlyList<SweepGroup> PerDirection,
    SweepEstimates? Estimates)
{
    /// <summary>Aggregates <paramref name="result"/> in one pass over its counts.</summary>
    public static SweepSummary From(SweepResult result) => SweepAggregator.Summarize(result);
}

/// <summary>
/// Totals over the whole parameter selection, estimated from a <c>sample:N</c> sweep with 95% intervals.
/// The sampling unit is the parameter entry (each sampled entry has all its selected bits flipped), so every
/// interval is a Wilson interval with n = sampled entries: exact for erratic entries and for a single bit
/// position, and conservative for flip counts over several bits (the per-entry share of bad bits lies in
/// [0, 1], so its variance is at most that of a Bernoulli variable with the same mean).
/// </summary>
public sealed record SweepEstimates(long PopulationEntries, long PopulationFlips, long SampledEntries,
    ProportionEstimate ErraticEntries, ProportionEstimate RadAbove10Flips, ProportionEstimate Rad90To100Flips);
