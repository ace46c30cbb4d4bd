namespace FlipGuard.Data;

/// <summary>The training and held-out parts of a dataset, kept together because every experiment needs both.</summary>
/// <param name="Train">Samples to fit on.</param>
/// <param name="Test">Samples to measure accuracy on.</param>
public sealed record DatasetSplit(RawImageSet Train, RawImageSet Test);
