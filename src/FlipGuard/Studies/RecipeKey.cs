using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FlipGuard.Checkpoints;
using FlipGuard.Data;
using FlipGuard.Models;
using FlipGuard.Training;

namespace FlipGuard.Studies;

/// <summary>
/// The content address of a trained model: SHA-256 of everything that determines its weights — the architecture and
/// its input/output sizes, the full training recipe (seed, hyper-parameters, regulariser, and for fine-tuning the
/// starting weights' hash) and a hash of the training data itself (not its path, so a fresh clone elsewhere finds the
/// same keys). Equal keys mean a study may reuse the checkpoint instead of training again. What it leaves out: the
/// FlipGuard version and the thread count, which can change the last bits but not the recipe.
/// </summary>
public static class RecipeKey
{
    /// <summary>The key (64 lower-case hex digits) of training <paramref name="config"/> for <paramref name="spec"/> on data with <paramref name="dataSha256"/>.</summary>
    public static string Of(ModelSpec spec, TrainingConfig config, string dataSha256)
    {
        string canonical = JsonSerializer.Serialize(new { keyVersion = 1, spec, config, data = dataSha256 }, CheckpointFile.JsonOptions);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    /// <summary>The key of an existing checkpoint used as it is: its weights' hash.</summary>
    public static string OfCheckpoint(CheckpointMetadata metadata) => "ckpt-" + metadata.WeightsSha256;

    /// <summary>SHA-256 of the training split (normalised images and labels, as the trainer sees them).</summary>
    public static string DataSha256(LoadedDataset data)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{data.Shape} {data.Classes} {data.TrainCount}\n"));
        using (var images = data.Train.Images.contiguous().cpu())
            hash.AppendData(images.bytes);
        using (var labels = data.Train.Labels.contiguous().cpu())
            hash.AppendData(labels.bytes);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
