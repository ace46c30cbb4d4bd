using System.Text;
using FlipGuard.Studies.Analyses;
using FlipGuard.Studies.Results;

namespace FlipGuard.Reports;

/// <summary>
/// The report's generated paragraph: for every metric with a good direction, which recipe wins on each architecture
/// and by how much against the reference, with the 95% interval and where it comes from — and, plainly, when the
/// interval includes no change. Facts only; no adjectives the numbers do not support.
/// </summary>
public static class StudyNarrative
{
    /// <summary>One paragraph per architecture, as plain sentences (Markdown-safe; <c>**</c> marks recipe names).</summary>
    public static IReadOnlyList<string> Write(StudyResults results, IReadOnlyList<StudyTable> tables)
    {
        var paragraphs = new List<string>();
        string referenceLabel = results.Recipes.FirstOrDefault(r => r.Name == results.Info.Reference)?.Label ?? results.Info.Reference;
        foreach (var table in tables)
        {
            var text = new StringBuilder();
            var reference = table.Rows.FirstOrDefault(r => r.IsReference);
            for (int c = 0; c < table.Columns.Count; c++)
            {
                var kind = table.Columns[c];
                if (kind.Better == Better.None) continue;
                var rows = table.Rows.Where(r => r.Cells[c].Count > 0 && !double.IsNaN(r.Cells[c].Mean)).ToList();
                if (rows.Count < 2) continue;
                var best = kind.Better == Better.Lower ? rows.MinBy(r => r.Cells[c].Mean)! : rows.MaxBy(r => r.Cells[c].Mean)!;
                string direction = kind.Better == Better.Lower ? "lowest" : "highest";
                if (text.Length > 0) text.Append(' ');
                if (reference is null || reference.Cells[c].Count == 0)
                {
                    text.Append($"**{best.Recipe.Label}** has the {direction} {kind.Header} ({StudyFormat.Value(kind.Format, best.Cells[c].Mean)}).");
                    continue;
                }
                var refSummary = reference.Cells[c];
                if (rows.All(r => r.Cells[c].Mean == refSummary.Mean))
                {
                    text.Append($"All recipes tie on {kind.Header} ({StudyFormat.Value(kind.Format, refSummary.Mean)}).");
                    continue;
                }
                if (best.IsReference || best.Cells[c].Mean == refSummary.Mean)
                {
                    var others = rows.Where(r => !r.IsReference).ToList();
                    var next = kind.Better == Better.Lower ? others.MinBy(r => r.Cells[c].Mean)! : others.MaxBy(r => r.Cells[c].Mean)!;
                    var cmp = Compare(results, table, next, reference, kind);
                    text.Append($"No recipe beats **{referenceLabel}** on {kind.Header} ({StudyFormat.Value(kind.Format, refSummary.Mean)}); the closest, **{next.Recipe.Label}**, " +
                                $"has {StudyFormat.Value(kind.Format, next.Cells[c].Mean)}, {Describe(cmp, next.Seeds)}.");
                    continue;
                }
                var comparison = Compare(results, table, best, reference, kind);
                text.Append($"**{best.Recipe.Label}** has the {direction} {kind.Header}: {StudyFormat.Value(kind.Format, best.Cells[c].Mean)} against " +
                            $"{StudyFormat.Value(kind.Format, refSummary.Mean)} for {referenceLabel}, {Describe(comparison, best.Seeds)}.");
            }
            if (table.Columns.ToList().FindIndex(k => k.Name == SweepStudyAnalysis.Rad90) is int r90 and >= 0 && reference is not null)
            {
                var changes = table.Rows.Where(r => !r.IsReference && r.Changes[r90] is { Relative: not double.NaN })
                    .Select(r => $"{r.Recipe.Label} {Change(r.Changes[r90]!)}").ToList();
                if (changes.Count > 0)
                    text.Append($" For comparison with the source paper, which reports 20–50% fewer bits with RAD 90–100% after Hessian-aware training " +
                                $"and no such gain from SAM: here, against {referenceLabel}, {string.Join(", ", changes)}.");
            }
            AttackClaim(table, reference, referenceLabel, text);
            if (text.Length > 0) paragraphs.Add((tables.Count > 1 ? $"On {table.Architecture}: " : "") + text);
        }
        if (!results.Info.Complete) paragraphs.Add("This study has not finished: the table shows the models and analyses completed so far.");
        return paragraphs;
    }

    /// <summary>The paper's attack claim (2–3× more flips after Hessian-aware training) next to our ratios, and which numbers are only lower bounds.</summary>
    private static void AttackClaim(StudyTable table, StudyTableRow? reference, string referenceLabel, StringBuilder text)
    {
        var columns = table.Columns.ToList();
        int f = columns.FindIndex(k => k.Name == AttackStudyAnalysis.Flips);
        if (f < 0 || reference is null || reference.Cells[f].Count == 0) return;
        var ratios = table.Rows.Where(r => !r.IsReference && r.Changes[f] is { Relative: not double.NaN })
            .Select(r => $"{r.Recipe.Label} {Ratio(r.Changes[f]!)}").ToList();
        if (ratios.Count > 0)
            text.Append($" For comparison with the source paper, which reports that Hessian-aware models need 2–3× more flips of a targeted attack " +
                        $"for a large accuracy drop: here, against {referenceLabel}, {string.Join(", ", ratios)}.");
        int reached = columns.FindIndex(k => k.Name == AttackStudyAnalysis.Reached);
        var censored = reached < 0 ? [] : table.Rows.Where(r => r.Cells[reached].Count > 0 && r.Cells[reached].Mean < 1).Select(r => r.Recipe.Label).ToList();
        if (censored.Count > 0)
            text.Append($" Some attacks on {string.Join(", ", censored)} stopped at the flip budget before reaching the target, so those flip counts are lower bounds.");
    }

    private static string Change(MetricComparison c) => StudyFormat.SignedPercent(c.Relative) +
        (c.Basis == IntervalBasis.None ? "" : $" (95% CI {StudyFormat.SignedPercent(c.RelativeLow)} to {StudyFormat.SignedPercent(c.RelativeHigh)})");

    private static string Ratio(MetricComparison c)
    {
        static string X(double relative) => (1 + relative).ToString("F2", System.Globalization.CultureInfo.InvariantCulture).Replace('-', '−') + "×";
        return $"{X(c.Relative)} the flips" + (c.Basis == IntervalBasis.None ? "" : $" (95% CI {X(c.RelativeLow)} to {X(c.RelativeHigh)})");
    }

    private static MetricComparison Compare(StudyResults results, StudyTable table, StudyTableRow candidate, StudyTableRow reference, MetricKind kind)
    {
        int c = table.Columns.ToList().IndexOf(kind);
        return candidate.Changes[c] ?? MetricComparison.Of(candidate.Cells[c], reference.Cells[c],
            results.ValuesOf(table.Architecture, candidate.Recipe.Name, kind.Name).Select(v => v.Value).ToList(),
            results.ValuesOf(table.Architecture, reference.Recipe.Name, kind.Name).Select(v => v.Value).ToList());
    }

    private static string Describe(MetricComparison c, int seeds)
    {
        if (double.IsNaN(c.Relative)) return "no relative change can be given (the reference value is 0)";
        string change = StudyFormat.SignedPercent(c.Relative);
        if (c.Basis == IntervalBasis.None) return $"{change} ({StudyFormat.Basis(c.Basis, seeds)})";
        return $"{change} (95% CI {StudyFormat.SignedPercent(c.RelativeLow)} to {StudyFormat.SignedPercent(c.RelativeHigh)}, {StudyFormat.Basis(c.Basis, seeds)}" +
               (c.Clear ? ")" : "; the interval includes no change, so this is not a clear difference)");
    }
}
