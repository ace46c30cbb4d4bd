using FlipGuard.Models;
using FlipGuard.Training;

namespace FlipGuard.Checkpoints;

/// <summary>One stored tensor: its state-dict name, element type, shape and place in the data region.</summary>
public sealed record TensorEntry(string Name, string DType, long[] Shape, long Offset, long Length);

/// <summary>
/// What a checkpoint says about its weights: how to rebuild the model, what data and normalisation it expects,
/// how it was trained and how accurate it was, and a SHA-256 of the weights so corruption is never silent.
/// </summary>
public sealed record CheckpointMetadata
{
    /// <summary>Layout version of the file; readers refuse versions they do not know.</summary>
    public int FormatVersion { get; init; } = CheckpointFile.CurrentFormatVersion;
    /// <summary>FlipGuard version that wrote the file.</summary>
    public string FlipGuardVersion { get; init; } = "";
    /// <summary>Architecture and input/output sizes.</summary>
    public required ModelSpec Model { get; init; }
    /// <summary>Dataset name the model was trained on.</summary>
    public string Dataset { get; init; } = "";
    /// <summary>Where that dataset was read from (for provenance).</summary>
    public string DatasetSource { get; init; } = "";
    /// <summary>Per-channel mean subtracted from pixel values in [0, 1].</summary>
    public float[] NormalizationMean { get; init; } = [];
    /// <summary>Per-channel standard deviation dividing the centred pixel values.</summary>
    public float[] NormalizationStd { get; init; } = [];
    /// <summary>The training recipe, when the model was trained by FlipGuard.</summary>
    public TrainingConfig? Training { get; init; }
    /// <summary>Test accuracy in [0, 1] measured right after training.</summary>
    public double? CleanAccuracy { get; init; }
    /// <summary>Number of test samples behind <see cref="CleanAccuracy"/>.</summary>
    public int? CleanAccuracySamples { get; init; }
    /// <summary>Lower-case hex SHA-256 of the data region (all tensors, in <see cref="Tensors"/> order).</summary>
    public string WeightsSha256 { get; init; } = "";
    /// <summary>The stored tensors, in file order.</summary>
    public IReadOnlyList<TensorEntry> Tensors { get; init; } = [];
    /// <summary>When the file was written.</summary>
    public DateTimeOffset CreatedUtc { get; init; }
    /// <summary>
    /// Lower-case hex SHA-256 of this header (<see cref="CheckpointHeaderCheck.HeaderHash"/>), so that an edited
    /// normalisation, input shape or recipe is refused like edited weights; empty in checkpoints written before it existed.
    /// </summary>
    public string HeaderSha256 { get; init; } = "";

    /// <summary>True when the header carries its own hash (and loading verified it); false for older checkpoints,
    /// whose header fields only the range checks stand behind.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool HeaderHashed => HeaderSha256.Length > 0;
}
