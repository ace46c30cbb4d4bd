using System.Globalization;
using FlipGuard.Core;
using FlipGuard.Faults.Encodings;

namespace FlipGuard.Sweeps.Storage;

/// <summary>
/// Writes one CSV line per evaluated flip (tensor,index,bit,direction,old,new,accuracy,rad), for analyses the
/// summary does not foresee. Floats are written round-trippably (invariant culture, shortest exact form).
/// </summary>
public static class FlipRecordsCsv
{
    /// <summary>Writes <paramref name="result"/>'s flips to <paramref name="path"/> (temporary file, then rename).</summary>
    public static void Write(string path, SweepResult result)
    {
        var inv = CultureInfo.InvariantCulture;
        var sites = result.Sites;
        var names = new Dictionary<int, string>();
        foreach (var t in sites.Tensors) names[t.Target] = t.Name;
        AtomicFile.WriteText(path, w =>
        {
            w.WriteLine("tensor,index,bit,direction,old,new,accuracy,rad");
            var counts = result.Counts;
            for (long o = 0; o < sites.Count; o++)
            {
                int c = counts[(int)o];
                if (c < 0) continue;
                var s = sites.Site(o);
                w.Write(names[s.Tensor]); w.Write(',');
                w.Write(s.Index.ToString(inv)); w.Write(',');
                w.Write(s.Bit.ToString(inv)); w.Write(',');
                w.Write(s.Direction == FlipDirection.ZeroToOne ? "0to1" : "1to0"); w.Write(',');
                w.Write(s.OldValue.ToString("R", inv)); w.Write(',');
                w.Write(s.NewValue.ToString("R", inv)); w.Write(',');
                w.Write(((double)c / result.Samples).ToString("R", inv)); w.Write(',');
                w.WriteLine(result.Rad(c).ToString("R", inv));
            }
        }, createFolder: true);
    }
}
