namespace FlipGuard.Faults.Targets;

/// <summary>
/// What a defense found and did in one <see cref="IFaultRepair.Repair"/> call: whether it detected corruption,
/// how many parameter entries it overwrote (zeroed or restored), and — for a defense that checks units (groups,
/// words, entries) — how many units failed the check. The count is what tells a new detection from an old one when
/// corruption accumulates (an attack keeps its earlier flips): a flip is newly detected when the count rises.
/// </summary>
public sealed record RepairReport(bool Detected, long EntriesChanged, long? UnitsFlagged = null);
