using FlipGuard.Faults.Targets;

namespace FlipGuard.Defenses;

/// <summary>
/// Lets an attack or a fault injection call an <see cref="IDefense"/> through <see cref="IFaultRepair"/>, so BFA and
/// random faults can be run through RADAR, the range guard or ECC. The defense must already be protected on the clean
/// target (for int8 after <c>FlipTarget.Create(model, WeightEncodings.Int8)</c>); its references stay clean, so the attacker's
/// corruption, put back after each call, is flagged again at the next one, and the flagged-unit count passed on in
/// <see cref="RepairReport.UnitsFlagged"/> tells newly detected flips from earlier ones.
/// </summary>
public sealed class DefenseRepair(IDefense defense) : IFaultRepair
{
    /// <summary>The defense's name with its settings.</summary>
    public string Name => defense.Name;

    /// <summary>Runs the defense's check and repair on the live weights and reports what it flagged.</summary>
    public RepairReport Repair(FlipTarget target)
    {
        var r = defense.Repair(target);
        return new RepairReport(r.UnitsFlagged > 0, r.EntriesRewritten, r.UnitsFlagged);
    }
}
