using FlipGuard.Studies.Analyses;

namespace FlipGuard.Tests.Studies;

/// <summary>An analysis is one line of the catalogue: its name, its factory and its comparison chart, if any.</summary>
public class StudyAnalysisCatalogTests
{
    [Fact]
    public void EachComparisonChartComesFromItsAnalysisLine()
    {
        Assert.Equal(["hessian", "sweep", "attack", "injection", "defense"], StudyAnalysisCatalog.Names);
        Assert.Equal(["attack", "injection", "defense"], StudyAnalysisCatalog.Charts.Select(c => c.Analysis));
        Assert.Equal([typeof(AttackComparisonChart), typeof(InjectionComparisonChart), typeof(DefenseComparisonChart)], StudyAnalysisCatalog.Charts.Select(c => c.GetType()));
    }
}
