using System.Globalization;
using FlipGuard.Core;

namespace FlipGuard.Injection;

/// <summary>
/// Writes every trial of a random-fault campaign as one CSV line
/// (<c>level,trial,flips,correct,accuracy,rad,detected,repaired_accuracy</c>; the last two empty without a defense).
/// </summary>
public static class InjectionTrialsCsv
{
    /// <summary>Writes <paramref name="result"/>'s trials to <paramref name="path"/> (temporary file, then rename).</summary>
    public static void Write(string path, InjectionResult result)
    {
        var inv = CultureInfo.InvariantCulture;
        int n = result.Definition.Samples;
        long clean = result.Definition.CleanCorrect;
        AtomicFile.WriteText(path, w =>
        {
            w.WriteLine("level,trial,flips,correct,accuracy,rad,detected,repaired_accuracy");
            foreach (var level in result.Levels)
                foreach (var t in level.Trials)
                    w.WriteLine(string.Join(',', level.Level.ToString("R", inv), t.Trial.ToString(inv), t.Flips.ToString(inv), t.Correct.ToString(inv),
                        ((double)t.Correct / n).ToString("R", inv), ((double)(clean - t.Correct) / clean).ToString("R", inv),
                        t.Detected is { } d ? (d ? "1" : "0") : "", t.RepairedCorrect is { } r ? ((double)r / n).ToString("R", inv) : ""));
        }, createFolder: true);
    }
}
