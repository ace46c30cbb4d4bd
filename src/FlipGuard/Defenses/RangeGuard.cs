using FlipGuard.Defenses.Ecc;
using FlipGuard.Faults.Targets;

namespace FlipGuard.Defenses;

/// <summary>
/// Range guard: remembers each tensor's smallest and largest weight at load and, before inference, clamps (or
/// zeroes) every weight outside that range; a NaN is always zeroed. It costs two floats per tensor and catches the
/// flips that matter most in float32 — an exponent-MSB flip turns |w| &lt; 2 into ~10³⁸ — but by construction misses
/// every flip that stays inside the range (most int8 flips, sign flips, small-exponent and mantissa flips).
/// </summary>
public sealed class RangeGuard(bool zero = true) : IDefense
{
    private (float Min, float Max)[]? ranges;
    private FlipTarget? protectedTarget;

    /// <inheritdoc />
    public string Name => zero ? "guard(zero)" : "guard(clamp)";

    /// <inheritdoc />
    public DefenseOverhead Overhead { get; private set; } = new(0, 0, 0, 0);

    /// <inheritdoc />
    public void Protect(FlipTarget target)
    {
        ranges = new (float, float)[target.Tensors.Count];
        long entries = 0;
        for (int t = 0; t < ranges.Length; t++)
        {
            float[] v = target.Tensors[t].ReadValues();
            float min = float.PositiveInfinity, max = float.NegativeInfinity;
            foreach (float x in v) { min = Math.Min(min, x); max = Math.Max(max, x); }
            ranges[t] = (min, max);
            entries += v.Length;
        }
        protectedTarget = target;
        Overhead = new DefenseOverhead(entries, entries, 64L * ranges.Length, entries * target.BitsPerEntry);
    }

    /// <inheritdoc />
    public DefenseReport Repair(FlipTarget target)
    {
        var r = ranges ?? throw new InvalidOperationException("Protect the target before repairing it");
        if (!ReferenceEquals(target, protectedTarget)) throw new InvalidOperationException("this defense protects a different target");
        long checkedEntries = 0, flagged = 0;
        for (int t = 0; t < r.Length; t++)
        {
            var tensor = target.Tensors[t];
            float[] v = tensor.ReadValues();
            long hits = 0;
            for (int i = 0; i < v.Length; i++)
            {
                if (Allowed(r[t], v[i])) continue;
                v[i] = Guarded(tensor, r[t], v[i]);
                hits++;
            }
            if (hits > 0) StoredWords.Write(tensor, v);
            checkedEntries += v.Length;
            flagged += hits;
        }
        return new DefenseReport(Name, checkedEntries, flagged, 0, flagged, flagged);
    }

    /// <inheritdoc />
    public bool Outcome(in ParameterChange fault, List<ParameterChange> effect)
    {
        effect.Clear();
        var r = ranges ?? throw new InvalidOperationException("Protect the target before asking for outcomes");
        var range = r[fault.Tensor];
        if (Allowed(range, fault.NewValue))
        {
            effect.Add(fault);
            return false;
        }
        effect.Add(fault with { NewValue = Guarded(protectedTarget!.Tensors[fault.Tensor], range, fault.NewValue) });
        return true;
    }

    private static bool Allowed((float Min, float Max) range, float x) => x >= range.Min && x <= range.Max;

    private float Guarded(FlipTensor tensor, (float Min, float Max) range, float x)
    {
        float guarded = zero || float.IsNaN(x) ? 0f : Math.Clamp(x, range.Min, range.Max);
        // An int8 deployment can only store scale·q: round the guarded value to the grid it stores.
        return StoredWords.ValueOf(tensor, StoredWords.Of(tensor, guarded));
    }
}
