using System.Text.Json;
using FlipGuard.Checkpoints;
using FlipGuard.Core;
using FlipGuard.Data;
using FlipGuard.Models;

namespace FlipGuard.Interop;

/// <summary>
/// The string metadata FlipGuard writes into safetensors and ONNX exports (model description, dataset,
/// normalisation), so that importing its own exports needs no <c>--arch</c> and keeps the input statistics.
/// </summary>
public static class InteropMetadata
{
    /// <summary>Key of the <see cref="ModelSpec"/> JSON.</summary>
    public const string ModelKey = "flipguard.model";
    /// <summary>Key of the dataset name.</summary>
    public const string DatasetKey = "flipguard.dataset";
    /// <summary>Key of the normalisation JSON.</summary>
    public const string NormalizationKey = "flipguard.normalization";

    /// <summary>The metadata describing a checkpoint (plus <c>format: pt</c>, which Hugging Face loaders expect).</summary>
    public static IReadOnlyDictionary<string, string> From(CheckpointMetadata meta, bool safetensors)
    {
        var d = new Dictionary<string, string> { [ModelKey] = JsonSerializer.Serialize(meta.Model, CheckpointFile.JsonOptions) };
        if (safetensors) d["format"] = "pt";
        if (meta.Dataset.Length > 0) d[DatasetKey] = meta.Dataset;
        if (meta.NormalizationMean.Length > 0)
            d[NormalizationKey] = JsonSerializer.Serialize(new Normalization(meta.NormalizationMean, meta.NormalizationStd), CheckpointFile.JsonOptions);
        return d;
    }

    /// <summary>The model spec stored in <paramref name="metadata"/>, or null.</summary>
    /// <exception cref="FlipGuardException">The entry is present but malformed.</exception>
    public static ModelSpec? Spec(IReadOnlyDictionary<string, string> metadata, string source) =>
        metadata.TryGetValue(ModelKey, out var json) ? Parse<ModelSpec>(json, source, ModelKey) : null;

    /// <summary>The dataset name stored in <paramref name="metadata"/>, or null.</summary>
    public static string? Dataset(IReadOnlyDictionary<string, string> metadata) => metadata.GetValueOrDefault(DatasetKey);

    /// <summary>The normalisation stored in <paramref name="metadata"/>, or null.</summary>
    public static Normalization? Normalization(IReadOnlyDictionary<string, string> metadata, string source) =>
        metadata.TryGetValue(NormalizationKey, out var json) ? Parse<Normalization>(json, source, NormalizationKey) : null;

    private static T Parse<T>(string json, string source, string key)
    {
        try { return JsonSerializer.Deserialize<T>(json, CheckpointFile.JsonOptions) ?? throw new JsonException("null"); }
        catch (JsonException) { throw new FlipGuardException($"{source}: metadata entry {key} is malformed"); }
    }
}
