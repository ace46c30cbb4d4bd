using FlipGuard.Data;
using FlipGuard.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace FlipGuard.Cli;

/// <summary>A dataset resolved by name and turned into normalised train and test tensors.</summary>
public sealed class LoadedData : IDisposable
{
    private readonly TensorDataset train, test;

    private LoadedData(ResolvedDataset resolved, Normalization normalization, int? testLimit)
    {
        Normalization = normalization;
        Description = $"{resolved.Name} ({resolved.Source}: {resolved.Location}; {resolved.Train.Count:N0} train / {resolved.Test.Count:N0} test)";
        train = new TensorDataset(resolved.Train, normalization);
        test = new TensorDataset(resolved.Test, normalization, testLimit);
        Shape = resolved.Train.Shape;
        Classes = resolved.Train.ClassCount;
    }

    /// <summary>Resolves <paramref name="name"/> (see <see cref="DatasetCatalog"/>) and loads both splits.</summary>
    public static LoadedData Load(string name, string? directory, Normalization? normalization = null, int? testLimit = null)
    {
        var resolved = new DatasetCatalog().Resolve(name, new DataOptions(directory));
        return new LoadedData(resolved, normalization ?? Normalization.ForDataset(name), testLimit);
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
    /// <summary>Test samples.</summary>
    public TensorDataset Test => test;

    /// <summary>The tensors as the trainer takes them, on <paramref name="device"/> (CPU when null).</summary>
    public TrainingData AsTrainingData(Device? device = null) => device is null || device.type == DeviceType.CPU
        ? new(train.Images, train.Labels, test.Images, test.Labels)
        : new(train.Images.to(device), train.Labels.to(device), test.Images.to(device), test.Labels.to(device));

    /// <inheritdoc />
    public void Dispose()
    {
        train.Dispose();
        test.Dispose();
    }
}
