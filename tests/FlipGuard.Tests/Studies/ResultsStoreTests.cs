using FlipGuard.Core;
using FlipGuard.Studies;
using FlipGuard.Studies.Analyses;
using FlipGuard.Studies.Results;

namespace FlipGuard.Tests.Studies;

public class ResultsStoreTests
{
    [Fact]
    public void WhatIsWrittenReadsBackAfterReopening()
    {
        using var dir = new TempDirectory();
        string db = SyntheticStudy.Create(dir.Path);
        using var store = ResultsStore.Open(db, create: false);
        var r = store.Read();
        Assert.Equal(("synthetic", "plain", true), (r.Info.Name, r.Info.Reference, r.Info.Complete));
        Assert.Contains("name: synthetic", r.Info.Text);
        Assert.Equal(["plain", "hat", "sam"], r.Recipes.Select(x => x.Name));
        Assert.Equal("HAT trace", r.Recipes[1].Label);
        Assert.Equal(9, r.Models.Count);
        Assert.Equal([SyntheticStudy.Accuracy, SyntheticStudy.Rad90], r.Metrics);
        Assert.Equal([SyntheticStudy.PerBit], r.Series);
        Assert.Equal(SyntheticStudy.Rad90Values["hat"], r.ValuesOf("mlp", "hat", SweepStudyAnalysis.Rad90).Select(v => v.Value));
        var acc = r.ValuesOf("mlp", "sam", StudyRunner.Accuracy.Name)[2];
        Assert.Equal(new MetricValue(StudyRunner.Accuracy.Name, 0.962, 0.95, 0.97), acc);
        var m = r.Models[4];
        Assert.Equal(("hat", 1L), (m.Recipe, m.Seed));
        Assert.Equal(["0", "30", "31"], r.SeriesValues[m.Key].Single().Labels);
        Assert.Equal([0, 690, 1], r.SeriesValues[m.Key].Single().Values);
        Assert.True(File.Exists(Path.Combine(r.Directory, r.Artifacts[m.Key].Single().RelativePath)));
        Assert.True(store.HasResult(m.Key, "sweep", "k1"));
        Assert.False(store.HasResult(m.Key, "sweep", "k2"));
        Assert.Equal("sha", store.WeightsOf(m.Key));
        Assert.Null(store.WeightsOf("unknown"));
    }

    [Fact]
    public void ResultsOfOtherSettingsStayOutOfTheReport()
    {
        using var dir = new TempDirectory();
        string db = SyntheticStudy.Create(dir.Path);
        using var store = ResultsStore.Open(db, create: false);
        string key = store.Read().Models[0].Key;
        store.SaveResult(key, "sweep", "old-settings", "{}", new AnalysisOutcome([new MetricValue(SweepStudyAnalysis.Rad90, 123456)], [], [], null, 1));
        Assert.Equal(1000, store.Read().Values[key].Single(v => v.Name == SweepStudyAnalysis.Rad90).Value);
        // Rewriting a result replaces its values instead of adding to them.
        store.SaveResult(key, "sweep", "k1", "{}", new AnalysisOutcome([new MetricValue(SweepStudyAnalysis.Rad90, 7)], [], [], null, 1));
        Assert.Equal(7, store.Read().Values[key].Single(v => v.Name == SweepStudyAnalysis.Rad90).Value);
        Assert.Empty(store.Read().Artifacts.GetValueOrDefault(key) ?? []);
    }

    [Fact]
    public void MissingOrForeignFilesAreUserErrors()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<FlipGuardException>(() => ResultsStore.Open(dir.File("none.db"), create: false));
        Assert.Contains("not found", e.Message);
        File.WriteAllText(dir.File("text.db"), "this is not a database, just some text that is long enough to have a header...........");
        Assert.Contains("not a FlipGuard results store", Assert.Throws<FlipGuardException>(() => ResultsStore.Open(dir.File("text.db"), create: false)).Message);
        using var empty = ResultsStore.Open(dir.File("empty.db"), create: true);
        Assert.Contains("holds no study", Assert.Throws<FlipGuardException>(() => empty.Read()).Message);
    }
}
