namespace FlipGuard.Faults.Targets;

/// <summary>
/// The hook through which a defense (checksums, honey neurons, …) sees a corrupted model. Attacks and fault
/// injection call <see cref="Repair"/> after the bits are flipped and before measuring the defended accuracy;
/// the defense may read the target's live tensors and overwrite entries of them (e.g. zero a group whose
/// signature no longer matches). The caller always measures the undefended accuracy first and restores the
/// target's tensors itself afterwards, so a defense never needs to undo what it did. A defense that keeps clean
/// signatures computes them when it is constructed, from the clean (for int8: already quantised) target.
/// Changing anything other than the target's tensors is not allowed: it would not be restored.
/// </summary>
public interface IFaultRepair
{
    /// <summary>Short name recorded in results and in journal definitions (e.g. <c>checksum-g16</c>).</summary>
    string Name { get; }

    /// <summary>Inspects the corrupted <paramref name="target"/>, repairs what it can in place and says what it found.</summary>
    RepairReport Repair(FlipTarget target);
}

/// <summary>
/// What a defense found and did in one <see cref="IFaultRepair.Repair"/> call: whether it detected corruption,
/// how many parameter entries it overwrote (zeroed or restored), and — for a defense that checks units (groups,
/// words, entries) — how many units failed the check. The count is what tells a new detection from an old one when
/// corruption accumulates (an attack keeps its earlier flips): a flip is newly detected when the count rises.
/// </summary>
public sealed record RepairReport(bool Detected, long EntriesChanged, long? UnitsFlagged = null);
