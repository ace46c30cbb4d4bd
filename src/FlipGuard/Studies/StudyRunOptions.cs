namespace FlipGuard.Studies;

/// <summary>Where a study runs: its folder (results store, report, analysis files), its checkpoint folder and the data folder.</summary>
/// <param name="OutputDirectory">The study folder.</param>
public sealed record StudyRunOptions(string OutputDirectory)
{
    /// <summary>Checkpoint folder (default <c>OUTPUT/checkpoints</c>); studies that share one reuse each other's models.</summary>
    public string? CheckpointDirectory { get; init; }
    /// <summary>A folder holding the dataset's files, searched first (as <c>--data-dir</c>).</summary>
    public string? DataDirectory { get; init; }

    /// <summary>The results store's path inside the study folder.</summary>
    public string DatabasePath => Path.Combine(OutputDirectory, "results.db");
}
