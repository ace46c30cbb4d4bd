using FlipGuard.Defenses;
using FlipGuard.Defenses.Ecc;
using FlipGuard.Faults.Encodings;
using FlipGuard.Faults.Targets;
using static TorchSharp.torch;

namespace FlipGuard.Tests.Defenses;

/// <summary>
/// The ground truth of what a defense does to one fault: write the fault into the live model, Repair, read back
/// every entry that differs from the clean model, then restore the clean model and protect it afresh.
/// </summary>
internal static class DefenseOracle
{
    public static (DefenseReport Report, Dictionary<(int, long), float> Changed) RepairAfter(IDefense defense, FlipTarget target, ParameterChange fault)
    {
        var clean = target.Tensors.Select(t => t.ReadValues()).ToArray();
        Write(target, fault.Tensor, fault.Index, fault.NewValue);
        var report = defense.Repair(target);
        var changed = new Dictionary<(int, long), float>();
        for (int t = 0; t < clean.Length; t++)
        {
            float[] now = target.Tensors[t].ReadValues();
            for (int i = 0; i < now.Length; i++)
                if (BitConverter.SingleToInt32Bits(now[i]) != BitConverter.SingleToInt32Bits(clean[t][i])) changed[(t, i)] = now[i];
            StoredWords.Write(target.Tensors[t], clean[t]);
        }
        defense.Protect(target);
        return (report, changed);
    }

    /// <summary>
    /// For every bit of the given entries: Outcome (what a sweep uses) equals write-repair-diff, and Repair flags the
    /// fault exactly when Outcome says it is detected. Returns how many of the flips went undetected.
    /// </summary>
    public static int AssertOutcomeEqualsRepair(IDefense defense, FlipTarget target, IEnumerable<(int Tensor, long Index)> entries)
    {
        int missed = 0;
        foreach (var (t, i) in entries)
            for (int bit = 0; bit < target.BitsPerEntry; bit++)
            {
                var fault = FlipFault(target, t, i, bit);
                var outcome = Effect(defense, fault, out bool detected);
                var (report, changed) = RepairAfter(defense, target, fault);
                Assert.Equal(detected ? 1 : 0, report.UnitsFlagged);
                AssertSameEffect(outcome, changed, target);
                if (!detected) missed++;
            }
        return missed;
    }

    public static Dictionary<(int, long), float> Effect(IDefense defense, ParameterChange fault, out bool detected)
    {
        var effect = new List<ParameterChange>();
        detected = defense.Outcome(fault, effect);
        var target = new Dictionary<(int, long), float>();
        foreach (var c in effect) target[(c.Tensor, c.Index)] = c.NewValue;
        return target;
    }

    /// <summary>The oracle map minus entries the fault "changed" to their own clean value (Outcome lists only real changes, or the fault itself).</summary>
    public static void AssertSameEffect(Dictionary<(int, long), float> outcome, Dictionary<(int, long), float> oracle, FlipTarget target)
    {
        var clean = target.Tensors.Select(t => t.ReadValues()).ToArray();
        var realOutcome = outcome.Where(kv => BitConverter.SingleToInt32Bits(kv.Value) != BitConverter.SingleToInt32Bits(clean[kv.Key.Item1][kv.Key.Item2]))
            .ToDictionary(kv => kv.Key, kv => BitConverter.SingleToInt32Bits(kv.Value));
        var realOracle = oracle.ToDictionary(kv => kv.Key, kv => BitConverter.SingleToInt32Bits(kv.Value));
        Assert.Equal(realOracle.OrderBy(kv => kv.Key), realOutcome.OrderBy(kv => kv.Key));
    }

    /// <summary>Writes one entry bit-exactly (through a float array: a scalar tensor would quiet a signalling NaN).</summary>
    public static void Write(FlipTarget target, int tensor, long index, float value)
    {
        float[] values = target.Tensors[tensor].ReadValues();
        values[index] = value;
        StoredWords.Write(target.Tensors[tensor], values);
    }

    public static bool SamePredictions(Tensor a, Tensor b) => a.data<long>().ToArray().SequenceEqual(b.data<long>().ToArray());

    /// <summary>The fault "flip bit <paramref name="bit"/> of the stored word of entry (t, i)".</summary>
    public static ParameterChange FlipFault(FlipTarget target, int t, long i, int bit)
    {
        var tensor = target.Tensors[t];
        float old = tensor.ReadValues()[i];
        if (tensor.Encoded is { Encoding: Int8Encoding } q)
        {
            sbyte stored = (sbyte)q.Words.Span[(int)i];
            return new ParameterChange(t, i, Int8Quantizer.Dequantize(Int8Quantizer.Flip(stored, bit), q.Scale));
        }
        return new ParameterChange(t, i, Float32Bits.Flip(old, bit));
    }
}
