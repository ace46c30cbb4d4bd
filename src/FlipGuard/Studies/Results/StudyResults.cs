namespace FlipGuard.Studies.Results;

/// <summary>What a study is and where it stands, as recorded in its results store.</summary>
/// <param name="Name">Study name.</param>
/// <param name="Dataset">Dataset name.</param>
/// <param name="DatasetDescription">Where the data came from and its sizes.</param>
/// <param name="Reference">Recipe the others are compared with.</param>
/// <param name="Text">The study file's text.</param>
/// <param name="FlipGuardVersion">Version that ran it.</param>
/// <param name="Complete">Whether every planned model and analysis has finished.</param>
/// <param name="UpdatedUtc">When the store last changed.</param>
public sealed record StudyInfo(string Name, string Dataset, string DatasetDescription, string Reference, string Text, string FlipGuardVersion, bool Complete, string UpdatedUtc);

/// <summary>A recipe row of the report: name, row label and a description of how it trains.</summary>
public sealed record RecipeInfo(string Name, string Label, string Description);

/// <summary>
/// Everything a report is rendered from, read back from a results store: the study, its recipes and models in plan
/// order, the declared columns and series, and per model (by key) its values, series, files and each analysis's full
/// result (its JSON, for charts that need more than the table, e.g. every attack's trajectory). Only results of the
/// current plan's analysis settings are included.
/// </summary>
public sealed record StudyResults(
    StudyInfo Info,
    IReadOnlyList<RecipeInfo> Recipes,
    IReadOnlyList<StudyModel> Models,
    IReadOnlyList<MetricKind> Metrics,
    IReadOnlyList<SeriesKind> Series,
    IReadOnlyDictionary<string, IReadOnlyList<MetricValue>> Values,
    IReadOnlyDictionary<string, IReadOnlyList<SeriesValue>> SeriesValues,
    IReadOnlyDictionary<string, IReadOnlyList<StudyArtifact>> Artifacts,
    string Directory,
    IReadOnlyDictionary<(string ModelKey, string Analysis), string>? Details = null)
{
    /// <summary>Architectures in plan order.</summary>
    public IReadOnlyList<string> Architectures => Models.Select(m => m.Architecture).Distinct().ToList();

    /// <summary>The values of <paramref name="metric"/> for one recipe on one architecture, one per seed that has it.</summary>
    public IReadOnlyList<MetricValue> ValuesOf(string architecture, string recipe, string metric) =>
        Models.Where(m => m.Architecture == architecture && m.Recipe == recipe)
            .SelectMany(m => Values.TryGetValue(m.Key, out var v) ? v.Where(x => x.Name == metric) : [])
            .ToList();

    /// <summary>The full result (JSON) of <paramref name="analysis"/> on one model, or null when the store has none for the current settings.</summary>
    public string? DetailOf(string modelKey, string analysis) => Details is not null && Details.TryGetValue((modelKey, analysis), out string? json) ? json : null;
}
