using FlipGuard.Faults.Targets;

namespace FlipGuard.Defenses;

/// <summary>
/// A run-time defense against bit flips in stored weights. The life cycle is the deployment's: <see cref="Protect"/>
/// once on the clean model (record reference signatures, ranges or check bits), then <see cref="Repair"/> before
/// each inference (check the live weights, fix or zero what fails, say what was found). Sweeps use
/// <see cref="Outcome"/>, the same check applied to a single fault without touching the model, so that a flip can be
/// evaluated through the defense exactly and cheaply; tests hold it equal to "write the flip, Repair, diff".
/// </summary>
public interface IDefense
{
    /// <summary>Name with its settings, e.g. <c>radar(group=64,interleaved,bits=6-7)</c>; recorded in sweep definitions.</summary>
    string Name { get; }

    /// <summary>Records the references from the live (clean) weights of <paramref name="target"/>; replaces earlier ones.</summary>
    void Protect(FlipTarget target);

    /// <summary>
    /// Checks the live weights against the references, repairs in place (correct, clamp or zero) and reports.
    /// The references always stay those of the clean model recorded by <see cref="Protect"/>, so Repair can be called
    /// on any corrupted state, and a caller may put the corrupted weights back afterwards (as an attack's evaluation
    /// does, so that the attacker never sees the repair) and call it again after the next flip.
    /// </summary>
    /// <exception cref="InvalidOperationException"><see cref="Protect"/> was not called for this target.</exception>
    DefenseReport Repair(FlipTarget target);

    /// <summary>
    /// The effect on the model of a fault that writes <paramref name="fault"/> into the protected (clean) model, as the
    /// defense's next check leaves it: <paramref name="effect"/> receives the changes the model then computes with
    /// (cleared first; empty = fully corrected, one entry = a single change, several = e.g. a zeroed group).
    /// Returns whether the check detected the fault. The model is not touched.
    /// </summary>
    bool Outcome(in ParameterChange fault, List<ParameterChange> effect);

    /// <summary>Storage the defense adds (after <see cref="Protect"/>).</summary>
    DefenseOverhead Overhead { get; }
}

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
