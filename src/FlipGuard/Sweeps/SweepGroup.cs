namespace FlipGuard.Sweeps;

/// <summary>
/// Sweep statistics for a group of flips (all of them, one bit position, one layer or one direction).
/// <see cref="Entries"/> counts parameter entries with at least one flip in the group, and
/// <see cref="ErraticEntries"/> those among them with at least one flip of RAD &gt; 10%.
/// </summary>
/// <param name="Key">Group name: "all", a bit position, a layer name, or "0to1"/"1to0".</param>
/// <param name="Flips">Flips evaluated.</param>
/// <param name="Improved">Flips with RAD &lt; 0 (accuracy went up).</param>
/// <param name="RadAbove10">Flips with RAD &gt; 10%.</param>
/// <param name="Rad90To100">Flips with RAD in [90%, 100%] — the headline metric.</param>
/// <param name="Entries">Parameter entries with a flip in the group.</param>
/// <param name="ErraticEntries">Entries with a flip of RAD &gt; 10% in the group.</param>
/// <param name="ErraticFraction">ErraticEntries / Entries (0 when there are none).</param>
/// <param name="Histogram">Flips per 5% RAD bin (see <see cref="RadHistogram"/>); improved flips are not in it.</param>
public sealed record SweepGroup(string Key, long Flips, long Improved, long RadAbove10, long Rad90To100, long Entries, long ErraticEntries, double ErraticFraction, long[] Histogram);
