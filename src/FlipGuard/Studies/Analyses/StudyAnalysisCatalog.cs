using FlipGuard.Core;

namespace FlipGuard.Studies.Analyses;

/// <summary>
/// The analyses a study file may name under <c>analyses</c>, by name. Adding an analysis to FlipGuard's studies is
/// one line here (plus its <see cref="IStudyAnalysis"/>), and one more in <see cref="Charts"/> when it draws its own
/// comparison chart.
/// </summary>
public static class StudyAnalysisCatalog
{
    private static readonly (string Name, Func<StudySection, IStudyAnalysis> Create)[] Entries =
    [
        ("hessian", s => new HessianStudyAnalysis(HessianStudySettings.Parse(s))),
        ("sweep", s => new SweepStudyAnalysis(SweepStudySettings.Parse(s))),
        (AttackStudyAnalysis.AnalysisName, s => new AttackStudyAnalysis(AttackStudySettings.Parse(s))),
        (InjectionStudyAnalysis.AnalysisName, s => new InjectionStudyAnalysis(InjectionStudySettings.Parse(s))),
        (DefenseStudyAnalysis.AnalysisName, s => new DefenseStudyAnalysis(DefenseStudySettings.Parse(s))),
    ];

    /// <summary>Names a study file can use, in the order the runner runs them when a file lists several.</summary>
    public static IReadOnlyList<string> Names { get; } = Entries.Select(e => e.Name).ToArray();

    /// <summary>Comparison charts the report draws from the store, beyond the bar chart per column.</summary>
    public static IReadOnlyList<IStudyComparisonChart> Charts { get; } = [new AttackComparisonChart(), new InjectionComparisonChart(), new DefenseComparisonChart()];

    /// <summary>Builds the analysis <paramref name="name"/> from its section of the study file.</summary>
    /// <exception cref="FlipGuardException">The name is unknown or a setting is invalid.</exception>
    public static IStudyAnalysis Create(string name, StudySection settings)
    {
        foreach (var (n, create) in Entries)
            if (n == name) return create(settings);
        throw settings.Error($"unknown analysis '{name}' (this build knows: {string.Join(", ", Names)})");
    }
}
