namespace FlipGuard.Defenses;

/// <summary>
/// What one <see cref="IDefense.Repair"/> found and did. A "unit" is what the defense checks as a whole: a checksum
/// group (RADAR), a parameter entry (range guard) or a 64-bit word (ECC).
/// </summary>
/// <param name="Defense">The defense's name.</param>
/// <param name="UnitsChecked">Units examined.</param>
/// <param name="UnitsFlagged">Units whose check failed (detections).</param>
/// <param name="Corrected">Flagged units restored exactly (ECC single errors).</param>
/// <param name="Uncorrectable">Flagged units that could only be zeroed or clamped (RADAR groups, ECC double errors, guard hits).</param>
/// <param name="EntriesRewritten">Parameter entries written back by the repair.</param>
public sealed record DefenseReport(string Defense, long UnitsChecked, long UnitsFlagged, long Corrected, long Uncorrectable, long EntriesRewritten);
