using System.Diagnostics;
using System.Text.Json;
using FlipGuard.Reports;
using FlipGuard.Studies.Results;

namespace FlipGuard.Tests.Studies;

/// <summary>Runs only where Debian's <c>chromium</c> (or <c>$FLIPGUARD_CHROMIUM</c>) is installed; CI does not install it.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (ReportInBrowserTests.Chromium is null) Skip = "headless Chromium not found (apt-get install chromium, or set FLIPGUARD_CHROMIUM)";
    }
}

/// <summary>
/// Looks at report.html the way a person would: renders it in headless Chromium, then checks that the results table is
/// there with its rows and that every image decoded to a real picture. Checks the synthetic report, or the report
/// named by <c>$FLIPGUARD_REPORT_HTML</c> (e.g. runs/study-mnist-quick/report.html after the README's first command).
/// </summary>
[Trait("Category", TestCategories.EndToEnd)]
public class ReportInBrowserTests
{
    internal static string? Chromium { get; } = new[] { Environment.GetEnvironmentVariable("FLIPGUARD_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser" }
        .FirstOrDefault(p => !string.IsNullOrEmpty(p) && File.Exists(p));

    [ChromiumFact]
    public void RenderedReportShowsTheTableAndEveryImage()
    {
        using var dir = new TempDirectory();
        string? given = Environment.GetEnvironmentVariable("FLIPGUARD_REPORT_HTML");
        string html;
        int expectedRows;
        if (!string.IsNullOrEmpty(given)) (html, expectedRows) = (given, -1);
        else
        {
            string db = SyntheticStudy.Create(dir.Path);
            using var store = ResultsStore.Open(db, create: false);
            html = ReportWriter.Write(store.Read(), dir.Sub("report")).Html;
            expectedRows = 3;
        }
        // A copy with a probe script: after loading, it writes what the page shows into the DOM for --dump-dom.
        string probe = dir.File("probe.html");
        File.WriteAllText(probe, File.ReadAllText(html).Replace("</body>", ProbeScript, StringComparison.Ordinal));
        string dom = RunChromium("--virtual-time-budget=10000", "--dump-dom", new Uri(probe).AbsoluteUri);
        var match = System.Text.RegularExpressions.Regex.Match(dom, "<pre id=\"flipguard-probe\">(.*?)</pre>", System.Text.RegularExpressions.RegexOptions.Singleline);
        Assert.True(match.Success, "the probe did not run; DOM starts: " + dom[..Math.Min(300, dom.Length)]);
        using var doc = JsonDocument.Parse(System.Net.WebUtility.HtmlDecode(match.Groups[1].Value));
        var root = doc.RootElement;
        var headers = root.GetProperty("headers").EnumerateArray().Select(h => h.GetString()).ToList();
        Assert.Contains("recipe", headers);
        Assert.Contains("test accuracy", headers);
        var rows = root.GetProperty("rows").EnumerateArray().ToList();
        if (expectedRows >= 0) Assert.Equal(expectedRows, rows.Count);
        Assert.NotEmpty(rows);
        foreach (var row in rows)
            foreach (var cell in row.EnumerateArray())
                Assert.False(string.IsNullOrWhiteSpace(cell.GetString()), "an empty table cell");
        var images = root.GetProperty("images").EnumerateArray().ToList();
        Assert.NotEmpty(images);
        foreach (var img in images)
        {
            Assert.True(img.GetProperty("complete").GetBoolean(), "an image did not load");
            Assert.True(img.GetProperty("width").GetInt32() >= 100 && img.GetProperty("height").GetInt32() >= 100, $"image {img} has no real size");
            Assert.True(img.GetProperty("srcLength").GetInt32() > 1000, "an image has (almost) no data");
        }
        // And a screenshot: a rendered page that is not blank.
        string shot = dir.File("shot.png");
        RunChromium("--window-size=1200,1600", $"--screenshot={shot}", new Uri(html).AbsoluteUri);
        Assert.True(new FileInfo(shot).Length > 20_000, "the screenshot is (nearly) blank");
    }

    private const string ProbeScript = """
        <script>
        window.addEventListener('load', () => {
          const table = document.querySelector('table.results');
          const out = {
            headers: table ? [...table.querySelectorAll('thead th')].map(th => th.textContent.trim()) : [],
            rows: table ? [...table.querySelectorAll('tbody tr')].map(tr => [...tr.cells].map(td => td.textContent.trim())) : [],
            images: [...document.images].map(i => ({ complete: i.complete, width: i.naturalWidth, height: i.naturalHeight, srcLength: i.src.length })),
          };
          const pre = document.createElement('pre');
          pre.id = 'flipguard-probe';
          pre.textContent = JSON.stringify(out);
          document.body.appendChild(pre);
        });
        </script>
        </body>
        """;

    private static string RunChromium(params string[] args)
    {
        var psi = new ProcessStartInfo(Chromium!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--allow-file-access-from-files" }.Concat(args))
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        _ = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(2))) { p.Kill(true); throw new TimeoutException("chromium"); }
        return stdout.Result;
    }
}
