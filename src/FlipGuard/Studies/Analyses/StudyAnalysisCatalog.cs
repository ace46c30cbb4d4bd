using FlipGuard.Core;

namespace FlipGuard.Studies.Analyses;

/// <summary>
/// The analyses a study file may name under <c>analyses</c>, by name. Adding an analysis to FlipGuard's studies is
/// its <see cref="IStudyAnalysis"/> and one line here: the line carries its name, its factory and, when it draws its
/// own comparison chart, that chart.
/// </summary>
public static class StudyAnalysisCatalog
{
    private static readonly (string Name, Func<StudySection, IStudyAnalysis> Create, IStudyComparisonChart? Chart)[] Entries =
    [
        ("hessian", s => new HessianStudyAnalysis(HessianStudySettings.Parse(s)), null),
        ("sweep", s => new SweepStudyAnalysis(SweepStudySettings.Parse(s)), null),
        (AttackStudyAnalysis.AnalysisName, s => new AttackStudyAnalysis(AttackStudySettings.Parse(s)), new AttackComparisonChart()),
        (InjectionStudyAnalysis.AnalysisName, s => new InjectionStudyAnalysis(InjectionStudySettings.Parse(s)), new InjectionComparisonChart()),
        (DefenseStudyAnalysis.AnalysisName, s => new DefenseStudyAnalysis(DefenseStudySettings.Parse(s)), new DefenseComparisonChart()),
    ];

    /// <summary>Names a study file can use, in the order the runner runs them when a file lists several.</summary>
    public static IReadOnlyList<string> Names { get; } = Entries.Select(e => e.Name).ToArray();

    /// <summary>Comparison charts the report draws from the store, beyond the bar chart per column: the entries' charts, in entry order.</summary>
    public static IReadOnlyList<IStudyComparisonChart> Charts { get; } = Entries.Where(e => e.Chart is not null).Select(e => e.Chart!).ToArray();

    /// <summary>Builds the analysis <paramref name="name"/> from its section of the study file.</summary>
    /// <exception cref="FlipGuardException">The name is unknown or a setting is invalid.</exception>
    public static IStudyAnalysis Create(string name, StudySection settings)
    {
        foreach (var (n, create, _) in Entries)
            if (n == name) return create(settings);
        throw settings.Error($"unknown analysis '{name}' (this build knows: {string.Join(", ", Names)})");
    }
}
