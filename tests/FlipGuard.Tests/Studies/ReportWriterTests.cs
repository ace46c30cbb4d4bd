using System.Text.RegularExpressions;
using FlipGuard.Reports;
using FlipGuard.Studies.Analyses;
using FlipGuard.Studies.Results;

namespace FlipGuard.Tests.Studies;

public class ReportWriterTests
{
    private static (StudyResults Results, ReportFiles Files) Render(TempDirectory dir)
    {
        string db = SyntheticStudy.Create(dir.Path);
        using var store = ResultsStore.Open(db, create: false);
        var results = store.Read();
        return (results, ReportWriter.Write(results, dir.Sub("report")));
    }

    [Fact]
    public void TableHasMeanStdAndChangeWithInterval()
    {
        using var dir = new TempDirectory();
        var (results, files) = Render(dir);
        var table = StudyTable.Build(results).Single();
        var hat = table.Rows.Single(r => r.Recipe.Name == "hat");
        int c = table.Columns.ToList().FindIndex(k => k.Name == SweepStudyAnalysis.Rad90);
        Assert.Equal((3, 700.0, 10.0), (hat.Seeds, hat.Cells[c].Mean, hat.Cells[c].StandardDeviation));
        Assert.Equal(-0.3, hat.Changes[c]!.Relative, 12);
        Assert.True(hat.Changes[c]!.Clear);
        string md = File.ReadAllText(files.Markdown);
        Assert.Contains("| recipe | seeds | test accuracy | bits RAD 90–100% | bits RAD 90–100%: change |", md);
        Assert.Contains("| HAT trace | 3 | 96.10% ± 0.10 pp | 700 ± 10 | −30.0% (95% CI ", md);
        Assert.Contains("| plain | 3 | 96.10% ± 0.10 pp | 1,000 ± 10 | reference |", md);
        Assert.Matches(@"\*\*HAT trace\*\* has the lowest bits RAD 90–100%: 700 against 1,000 for plain, −30\.0% \(95% CI −3\d\.\d% to −2\d\.\d%, t-interval over 3 seeds\)", md);
        Assert.Contains("SAM −1.0% (95% CI ", md);                     // the paper comparison lists every recipe's change, with its interval over seeds
        Assert.Matches(@"no such gain from SAM: here, against plain, HAT trace −30\.0% \(95% CI −3\d\.\d% to −2\d\.\d%\)", md);
        foreach (var f in files.Figures)
        {
            Assert.True(new FileInfo(f.Path).Length > 1000, f.Path);
            Assert.Contains($"]({Path.GetRelativePath(Path.GetDirectoryName(files.Markdown)!, f.Path)})", md);
        }
        Assert.Equal(3, files.Figures.Count);                          // two columns + one series
    }

    [Fact]
    public void HtmlIsSelfContainedWithEveryImageEmbedded()
    {
        using var dir = new TempDirectory();
        var (results, files) = Render(dir);
        string html = File.ReadAllText(files.Html);
        Assert.Equal(3, Regex.Matches(html, "<tr><td>").Count);
        Assert.Contains("<table class=\"results\" data-architecture=\"mlp\">", html);
        var images = Regex.Matches(html, "<img [^>]*src=\"([^\"]*)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(files.Figures.Count + results.Models.Count, images.Count);   // comparison charts + one chart per model
        foreach (string src in images)
        {
            Assert.StartsWith("data:image/png;base64,", src);
            byte[] png = Convert.FromBase64String(src["data:image/png;base64,".Length..]);
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        }
        Assert.DoesNotMatch("(src|href)=\"(http|file|/)", html);
        Assert.Contains("<strong>HAT trace</strong> has the lowest", html);
    }

    [Fact]
    public void IncompleteStudySaysSo()
    {
        using var dir = new TempDirectory();
        string db = SyntheticStudy.Create(dir.Path);
        using var store = ResultsStore.Open(db, create: false);
        store.SetComplete(false);
        string md = File.ReadAllText(ReportWriter.Write(store.Read(), dir.Path).Markdown);
        Assert.Contains("NOT FINISHED", md);
        Assert.Contains("This study has not finished", md);
    }
}
