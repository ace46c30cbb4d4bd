using FlipGuard.Sweeps;
using FlipGuard.Faults.Targets;

namespace FlipGuard.Defenses;

/// <summary>
/// What a defense does to each flip of a sweep, counted without evaluating any model: how many it detects, how many
/// it undoes completely, how many pass as the same single change and how many become a multi-entry change (a zeroed
/// group). Detection rates per bit position show what a scheme promises and what it does not.
/// </summary>
/// <param name="Flips">Flips screened.</param>
/// <param name="Detected">Flips the defense's check flagged.</param>
/// <param name="Neutralised">Flips whose effect was fully undone.</param>
/// <param name="Single">Flips that still change exactly one entry (passed through, clamped or zeroed).</param>
/// <param name="Multi">Flips that became a change of several entries.</param>
/// <param name="DetectedPerBit">Detected flips per bit position, aligned with <paramref name="Bits"/>.</param>
/// <param name="Bits">The bit positions screened.</param>
public sealed record DefenseScreening(long Flips, long Detected, long Neutralised, long Single, long Multi, IReadOnlyList<long> DetectedPerBit, IReadOnlyList<int> Bits)
{
    /// <summary>Screens every flip of <paramref name="sites"/> through <paramref name="defense"/> (already protecting the target).</summary>
    public static DefenseScreening Run(IDefense defense, FlipSites sites, CancellationToken cancel = default)
    {
        var effect = new List<ParameterChange>();
        long detected = 0, neutralised = 0, single = 0, multi = 0;
        var perBit = new long[sites.Bits.Count];
        var block = new ParameterChange[4096];
        for (long first = 0; first < sites.Count; first += block.Length)
        {
            cancel.ThrowIfCancellationRequested();
            int n = (int)Math.Min(block.Length, sites.Count - first);
            sites.Changes(SweepShard.Whole, first, block.AsSpan(0, n));
            for (int k = 0; k < n; k++)
            {
                if (defense.Outcome(block[k], effect))
                {
                    detected++;
                    perBit[(first + k) % sites.Bits.Count]++;
                }
                if (effect.Count == 0) neutralised++;
                else if (effect.Count == 1) single++;
                else multi++;
            }
        }
        return new DefenseScreening(sites.Count, detected, neutralised, single, multi, perBit, sites.Bits.ToArray());
    }
}
