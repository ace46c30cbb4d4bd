using FlipGuard.Statistics;

namespace FlipGuard.Sweeps;

/// <summary>
/// Totals over the whole parameter selection, estimated from a <c>sample:N</c> sweep with 95% intervals.
/// The sampling unit is the parameter entry (each sampled entry has all its selected bits flipped), so every
/// interval is a Wilson interval with n = sampled entries: exact for erratic entries and for a single bit
/// position, and conservative for flip counts over several bits (the per-entry share of bad bits lies in
/// [0, 1], so its variance is at most that of a Bernoulli variable with the same mean).
/// </summary>
public sealed record SweepEstimates(long PopulationEntries, long PopulationFlips, long SampledEntries,
    ProportionEstimate ErraticEntries, ProportionEstimate RadAbove10Flips, ProportionEstimate Rad90To100Flips);
