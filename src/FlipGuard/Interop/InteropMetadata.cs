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
    public static ModelSpec? Spec(IReadOnlyDictionary<string, string> metadata, string source)
    {
        if (!metadata.TryGetValue(ModelKey, out var json)) return null;
        var spec = Parse<ModelSpec>(json, source, ModelKey);
        try { CheckpointHeaderCheck.CheckSpec(spec); }
        catch (FlipGuardException e) { throw new FlipGuardException($"{source}: metadata entry {ModelKey}: {e.Message}"); }
        return spec;
    }

    /// <summary>The dataset name stored in <paramref name="metadata"/>, or null.</summary>
    public static string? Dataset(IReadOnlyDictionary<string, string> metadata) => metadata.GetValueOrDefault(DatasetKey);

    /// <summary>The normalisation stored in <paramref name="metadata"/>, or null.</summary>
    public static Normalization? Normalization(IReadOnlyDictionary<string, string> metadata, string source)
    {
        if (!metadata.TryGetValue(NormalizationKey, out var json)) return null;
        var n = Parse<Normalization>(json, source, NormalizationKey);
        if (n.Mean is null || n.Std is null || n.Mean.Length == 0 || n.Mean.Length != n.Std.Length || n.Mean.Any(m => !float.IsFinite(m)) || n.Std.Any(v => !(v > 0) || !float.IsFinite(v)))
            throw new FlipGuardException($"{source}: metadata entry {NormalizationKey} is not one finite mean and one positive standard deviation per channel");
        return n;
    }

    private static T Parse<T>(string json, string source, string key)
    {
        try { return JsonSerializer.Deserialize<T>(json, CheckpointFile.JsonOptions) ?? throw new JsonException("null"); }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        { throw new FlipGuardException($"{source}: metadata entry {key} is malformed"); }
    }
}
