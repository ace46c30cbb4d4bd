using FlipGuard.Fuzz;

namespace FlipGuard.Tests.Fuzz;

/// <summary>
/// Replays every committed fuzz input — the seed corpus, the corpora the fuzzers grew, and each input that once was
/// a finding (fuzz/regressions) — through the same harnesses the fuzzers run (issue 21): each must be read or refused
/// with one line, within its allocation budget. The seeds themselves must be read: they are valid files. Fuzzing
/// itself is not run here (see docs/fuzzing.md); this is its regression test, seconds long.
/// </summary>
public class FuzzCorpusTests
{
    private static string Root => Path.Combine(AppContext.BaseDirectory, "Fuzz");

    public static TheoryData<string> Harnesses => new(FuzzHarnesses.All.Select(h => h.Name));

    [Theory]
    [MemberData(nameof(Harnesses))]
    public void EveryCommittedInputIsReadOrRefusedWithinBudget(string name)
    {
        var harness = FuzzHarnesses.Find(name);
        var files = new[] { "corpus", "regressions" }.Select(f => Path.Combine(Root, f, name)).Where(Directory.Exists)
            .SelectMany(Directory.GetFiles).Order(StringComparer.Ordinal).ToList();
        Assert.Contains(files, f => Path.GetFileName(f).StartsWith("seed", StringComparison.Ordinal));
        using var scratch = new TempDirectory();
        var findings = new List<string>();
        foreach (string file in files)
        {
            try { FuzzHarnesses.Run(harness, File.ReadAllBytes(file), scratch.Path); }
            catch (FuzzFindingException e) { findings.Add($"{Path.GetFileName(file)}: {e.Message}"); }
        }
        Assert.True(findings.Count == 0, string.Join("\n", findings));
    }

    [Theory]
    [MemberData(nameof(Harnesses))]
    public void TheSeedsAreValidFiles(string name)
    {
        var harness = FuzzHarnesses.Find(name);
        using var scratch = new TempDirectory();
        foreach (string seed in Directory.GetFiles(Path.Combine(Root, "corpus", name), "seed*"))
        {
            string path = Path.Combine(scratch.Path, harness.FileName);
            File.Copy(seed, path, overwrite: true);
            harness.Read(path, scratch.Path); // throws (and fails the test) if a seed is refused
        }
    }
}
