namespace FlipGuard.Faults;

/// <summary>
/// What a defense found and did in one <see cref="IFaultRepair.Repair"/> call: whether it detected corruption,
/// and how many parameter entries it overwrote (zeroed or restored).
/// </summary>
public sealed record RepairReport(bool Detected, long EntriesChanged);
