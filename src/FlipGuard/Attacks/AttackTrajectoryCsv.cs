using System.Globalization;
using FlipGuard.Core;

namespace FlipGuard.Attacks;

/// <summary>
/// Writes every committed flip of every seed as one CSV line
/// (<c>seed,flip,tensor,index,bit,old,new,old_q,new_q,loss,accuracy,detected,repaired_accuracy</c>; the last two
/// empty without a defense, the q columns empty in float32 mode). Floats are round-trippable, invariant culture.
/// </summary>
public static class AttackTrajectoryCsv
{
    /// <summary>Writes <paramref name="result"/>'s trajectories to <paramref name="path"/> (temporary file, then rename).</summary>
    public static void Write(string path, AttackResult result)
    {
        var inv = CultureInfo.InvariantCulture;
        int samples = result.Definition.Samples;
        AtomicFile.WriteText(path, w =>
        {
            w.WriteLine("seed,flip,tensor,index,bit,old,new,old_q,new_q,loss,accuracy,detected,repaired_accuracy");
            foreach (var t in result.Trajectories)
                foreach (var s in t.Steps)
                    w.WriteLine(string.Join(',', t.Seed.ToString(inv), s.Flip.ToString(inv), s.TensorName, s.Index.ToString(inv), s.Bit.ToString(inv),
                        s.OldValue.ToString("R", inv), s.NewValue.ToString("R", inv), s.OldQ?.ToString(inv) ?? "", s.NewQ?.ToString(inv) ?? "",
                        s.Loss.ToString("R", inv), s.Accuracy.ToString("R", inv), s.Detected is { } d ? (d ? "1" : "0") : "",
                        s.RepairedCorrect is { } r ? ((double)r / samples).ToString("R", inv) : ""));
        }, createFolder: true);
    }
}
