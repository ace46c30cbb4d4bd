using FlipGuard.Data.Sources;

namespace FlipGuard.Data;

/// <summary>A dataset resolved by name and turned into normalised train and test tensors, with its provenance.</summary>
public sealed class LoadedDataset : IDisposable
{
    private readonly TensorDataset train, test;

    private LoadedDataset(ResolvedDataset resolved, Normalization normalization, int? testLimit)
    {
        Normalization = normalization;
        Description = $"{resolved.Name} ({resolved.Source}: {resolved.Location}; {resolved.Train.Count:N0} train / {resolved.Test.Count:N0} test)";
        train = new TensorDataset(resolved.Train, normalization);
        test = new TensorDataset(resolved.Test, normalization, testLimit);
        Shape = resolved.Train.Shape;
        Classes = resolved.Train.ClassCount;
    }

    /// <summary>Resolves <paramref name="name"/> (see <see cref="DatasetCatalog"/>) and loads both splits.</summary>
    public static LoadedDataset Load(string name, string? directory, Normalization? normalization = null, int? testLimit = null)
    {
        var resolved = new DatasetCatalog().Resolve(name, new DataOptions(directory));
        return new LoadedDataset(resolved, normalization ?? Normalization.ForDataset(name), testLimit);
    }

    /// <summary>Image shape.</summary>
    public ImageShape Shape { get; }
    /// <summary>Number of classes.</summary>
    public int Classes { get; }
    /// <summary>Normalisation applied to pixel values.</summary>
    public Normalization Normalization { get; }
    /// <summary>Name, source and sizes, for logs and checkpoint provenance.</summary>
    public string Description { get; }
    /// <summary>Training samples.</summary>
    public int TrainCount => train.Count;
    /// <summary>Training split.</summary>
    public TensorDataset Train => train;
    /// <summary>Test split.</summary>
    public TensorDataset Test => test;

    /// <inheritdoc />
    public void Dispose()
    {
        train.Dispose();
        test.Dispose();
    }
}
