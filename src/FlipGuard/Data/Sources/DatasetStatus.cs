namespace FlipGuard.Data.Sources;

/// <summary>One line of <c>flipguard data list</c>: whether a dataset is usable, from where, and how to get it.</summary>
/// <param name="Name">Catalog name.</param>
/// <param name="Present">True when <see cref="DatasetCatalog.Resolve"/> would succeed.</param>
/// <param name="Source">Where it would be read from, when present.</param>
/// <param name="Location">The folder or archive, when present.</param>
/// <param name="TrainCount">Training samples, when cheap to learn from headers or file sizes.</param>
/// <param name="TestCount">Test samples, when cheap to learn.</param>
/// <param name="Hint">One line telling how to get (the full version of) the dataset, or what is wrong with the copy found.</param>
public sealed record DatasetStatus(
    string Name, bool Present, DatasetSource? Source, string? Location, int? TrainCount, int? TestCount, string Hint);
