using FlipGuard.Checkpoints;
using FlipGuard.Core;
using FlipGuard.Data;
using FlipGuard.Faults.Encodings;
using FlipGuard.Faults.Targets;
using FlipGuard.Workflows;
using static TorchSharp.torch;

namespace FlipGuard.Cli;

/// <summary>A verified checkpoint with the evaluation data it was trained for (or another compatible dataset).</summary>
public sealed class CheckpointWithData : IDisposable
{
    private CheckpointWithData(string path, CheckpointMetadata metadata, nn.Module<Tensor, Tensor> model, LoadedDataset data, string dataset)
    {
        (Path, Metadata, Model, Data, Dataset) = (path, metadata, model, data, dataset);
    }

    /// <summary>The checkpoint file.</summary>
    public string Path { get; }
    /// <summary>Its header.</summary>
    public CheckpointMetadata Metadata { get; }
    /// <summary>The model with the checkpoint's weights.</summary>
    public nn.Module<Tensor, Tensor> Model { get; }
    /// <summary>The dataset, normalised as at training time.</summary>
    public LoadedDataset Data { get; }
    /// <summary>Dataset name.</summary>
    public string Dataset { get; }

    /// <summary>
    /// The model as the fault workflows take it: its flip target (stored as <paramref name="encoding"/>; int8 quantises the
    /// weights in place), the checkpoint's weights hash, the dataset name, the test split and the training split as attack pool.
    /// </summary>
    public ModelUnderTest UnderTest(IWeightEncoding encoding) =>
        new(FlipTarget.Create(Model, encoding), Metadata.WeightsSha256, Dataset, Data.Test.Images, Data.Test.Labels, Data.Train.Images, Data.Train.Labels);

    /// <summary>Loads and cross-checks both; a shape or class mismatch is a user error.</summary>
    public static CheckpointWithData Load(string path, string? dataset, string? dataDir, int testLimit)
    {
        if (testLimit < 0) throw new FlipGuardException($"--limit must be ≥ 0, got {testLimit}");
        var (meta, model) = CheckpointFile.Load(path);
        string name = dataset ?? meta.Dataset;
        var normalization = meta.NormalizationMean.Length > 0 ? new Normalization(meta.NormalizationMean, meta.NormalizationStd) : null;
        LoadedDataset data;
        try { data = LoadedDataset.Load(name, dataDir, normalization, testLimit > 0 ? testLimit : null); }
        catch { model.Dispose(); throw; }
        var m = meta.Model;
        if (data.Shape.Channels != m.Channels || data.Shape.Height != m.Height || data.Shape.Width != m.Width || data.Classes != m.Classes)
        {
            model.Dispose();
            data.Dispose();
            throw new FlipGuardException($"{path}: model expects {m.Channels}x{m.Height}x{m.Width} images in {m.Classes} classes, dataset {name} has {data.Shape} in {data.Classes}");
        }
        return new CheckpointWithData(path, meta, model, data, name);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Model.Dispose();
        Data.Dispose();
    }
}
