namespace FlipGuard.Data.Sources;

/// <summary>A loaded dataset plus where it came from, so a run can record the exact data it used.</summary>
/// <param name="Name">Catalog name, e.g. <c>mnist</c>.</param>
/// <param name="Train">Training samples.</param>
/// <param name="Test">Test samples.</param>
/// <param name="Source">Kind of place it was found in.</param>
/// <param name="Location">The folder or archive it was read from.</param>
public sealed record ResolvedDataset(string Name, RawImageSet Train, RawImageSet Test, DatasetSource Source, string Location);
