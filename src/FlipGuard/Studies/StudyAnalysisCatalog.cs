namespace FlipGuard.Studies;

/// <summary>
/// The analyses a study file may name under <c>analyses</c>, by name. Adding an analysis to FlipGuard's studies is
/// one line here (plus its <see cref="IStudyAnalysis"/>): <c>attack</c>, <c>injection</c> and <c>defenses</c>
/// (issues 5 and 6) go here when they land.
/// </summary>
public static class StudyAnalysisCatalog
{
    private static readonly (string Name, Func<StudySection, IStudyAnalysis> Create)[] Entries =
    [
        ("hessian", s => new HessianStudyAnalysis(HessianStudySettings.Parse(s))),
        ("sweep", s => new SweepStudyAnalysis(SweepStudySettings.Parse(s))),
    ];

    /// <summary>Names a study file can use, in the order the runner runs them when a file lists several.</summary>
    public static IReadOnlyList<string> Names { get; } = Entries.Select(e => e.Name).ToArray();

    /// <summary>Builds the analysis <paramref name="name"/> from its section of the study file.</summary>
    /// <exception cref="FlipGuardException">The name is unknown or a setting is invalid.</exception>
    public static IStudyAnalysis Create(string name, StudySection settings)
    {
        foreach (var (n, create) in Entries)
            if (n == name) return create(settings);
        throw settings.Error($"unknown analysis '{name}' (this build knows: {string.Join(", ", Names)})");
    }
}
