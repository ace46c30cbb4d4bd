namespace FlipGuard.Sweeps;

/// <summary>Mutable counters behind one <see cref="SweepGroup"/>, filled entry by entry during aggregation.</summary>
internal sealed class GroupAccumulator(string key)
{
    private readonly long[] histogram = new long[RadHistogram.Bins];
    private long flips, improved, above10, from90, entries, erratic;
    private bool entryTouched, entryErratic;

    public void Add(long drop, long clean)
    {
        flips++;
        entryTouched = true;
        if (drop < 0) { improved++; return; }
        histogram[RadHistogram.BinOf(drop, clean)]++;
        if (RadHistogram.From90(drop, clean)) from90++;
        if (!RadHistogram.Above10(drop, clean)) return;
        above10++;
        entryErratic = true;
    }

    public void EndEntry()
    {
        if (entryTouched) entries++;
        if (entryErratic) erratic++;
        entryTouched = entryErratic = false;
    }

    public SweepGroup ToGroup() => new(key, flips, improved, above10, from90, entries, erratic, entries == 0 ? 0 : (double)erratic / entries, histogram.ToArray());
}
