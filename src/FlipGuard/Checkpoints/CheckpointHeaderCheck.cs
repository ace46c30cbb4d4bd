using System.Security.Cryptography;
using System.Text.Json;
using FlipGuard.Core;
using FlipGuard.Data;
using FlipGuard.Models;
using FlipGuard.Models.Zoo;

namespace FlipGuard.Checkpoints;

/// <summary>
/// The validation layer of the checkpoint header: every field a reader acts on is checked for presence, type, range
/// and consistency before a byte of the data region is allocated, so a hand-edited or hostile header ends in one
/// sentence naming the field instead of a null dereference, a negative allocation or a model with an impossible
/// input. It also computes the header's own SHA-256 (<see cref="CheckpointMetadata.HeaderSha256"/>): the weights'
/// hash alone left the normalisation, the input shape and the recipe editable without a trace, and a changed
/// standard deviation silently changes every accuracy the checkpoint gives.
/// </summary>
public static class CheckpointHeaderCheck
{
    /// <summary>Largest class count a header may declare.</summary>
    public const int MaxClasses = 1_000_000;

    private static readonly Dictionary<string, int> ElementBytes = new(StringComparer.Ordinal)
    {
        ["float32"] = 4, ["float64"] = 8, ["int64"] = 8, ["int32"] = 4, ["int8"] = 1, ["uint8"] = 1,
    };

    /// <summary>
    /// Checks a deserialised header; <paramref name="path"/> only names the file in the message.
    /// </summary>
    /// <exception cref="FlipGuardException">The first field that is missing, of the wrong kind, out of range or inconsistent.</exception>
    public static void Validate(string path, CheckpointMetadata meta)
    {
        string Where(string field) => $"{path}: checkpoint header field '{field}'";
        if (meta.Model is null) throw new FlipGuardException($"{path}: checkpoint header lacks the model description");
        try { CheckSpec(meta.Model); }
        catch (FlipGuardException e) { throw new FlipGuardException($"{path}: checkpoint header: {e.Message}"); }
        if (meta.Model.Description is null && !ModelZoo.Architectures.Any(a => a.Name == meta.Model.Architecture))
            throw new FlipGuardException($"{path}: checkpoint header names architecture '{meta.Model.Architecture}', which is neither built in nor described (built in: {string.Join(", ", ModelZoo.Architectures.Select(a => a.Name))})");
        if (meta.NormalizationMean is null) throw new FlipGuardException($"{Where("normalizationMean")} is null");
        if (meta.NormalizationStd is null) throw new FlipGuardException($"{Where("normalizationStd")} is null");
        if (meta.NormalizationMean.Length != meta.NormalizationStd.Length ||
            (meta.NormalizationMean.Length != 0 && meta.NormalizationMean.Length != meta.Model.Channels))
            throw new FlipGuardException($"{path}: checkpoint header gives {meta.NormalizationMean.Length} normalisation means and {meta.NormalizationStd.Length} standard deviations for a {meta.Model.Channels}-channel input");
        if (meta.NormalizationMean.Any(m => !float.IsFinite(m)))
            throw new FlipGuardException($"{Where("normalizationMean")} holds a value that is not a finite number");
        if (meta.NormalizationStd.Any(s => !(s > 0) || !float.IsFinite(s)))
            throw new FlipGuardException($"{Where("normalizationStd")} holds a value that is not a positive finite number");
        if (meta.CleanAccuracy is { } acc && !(acc >= 0 && acc <= 1))
            throw new FlipGuardException($"{Where("cleanAccuracy")} is {acc}, not a fraction in [0, 1]");
        if (meta.CleanAccuracySamples is < 0) throw new FlipGuardException($"{Where("cleanAccuracySamples")} is negative");
        if (meta.Training is { } recipe)
        {
            try { recipe.Validate(); }
            catch (FlipGuardException e) { throw new FlipGuardException($"{path}: checkpoint header's training recipe is impossible ({e.Message})"); }
        }
        if (meta.WeightsSha256 is null || meta.WeightsSha256.Length != 64 || !meta.WeightsSha256.All(char.IsAsciiHexDigitLower))
            throw new FlipGuardException($"{Where("weightsSha256")} is not a lower-case hex SHA-256");
        if (meta.HeaderSha256 is null || (meta.HeaderSha256.Length != 0 && (meta.HeaderSha256.Length != 64 || !meta.HeaderSha256.All(char.IsAsciiHexDigitLower))))
            throw new FlipGuardException($"{Where("headerSha256")} is not a lower-case hex SHA-256");
        CheckTensors(path, meta);
    }

    /// <summary>Checks the sizes a model spec declares (from a header, a flag or a study file) before any model is built.</summary>
    /// <exception cref="FlipGuardException">A size is out of range or the architecture is unnamed.</exception>
    public static void CheckSpec(ModelSpec spec)
    {
        if (string.IsNullOrWhiteSpace(spec.Architecture)) throw new FlipGuardException("the model names no architecture");
        if (ImageShape.Problem(spec.Channels, spec.Height, spec.Width) is { } problem) throw new FlipGuardException(problem);
        if (spec.Classes is < 2 or > MaxClasses) throw new FlipGuardException($"the model has {spec.Classes} classes (2–{MaxClasses:N0} allowed)");
    }

    private static void CheckTensors(string path, CheckpointMetadata meta)
    {
        if (meta.Tensors is null) throw new FlipGuardException($"{path}: checkpoint header field 'tensors' is null");
        var names = new HashSet<string>(StringComparer.Ordinal);
        long expected = 0;
        foreach (var t in meta.Tensors)
        {
            if (t is null) throw new FlipGuardException($"{path}: checkpoint tensor table holds a null entry");
            if (string.IsNullOrEmpty(t.Name)) throw new FlipGuardException($"{path}: checkpoint tensor table holds a tensor without a name");
            if (!names.Add(t.Name)) throw new FlipGuardException($"{path}: checkpoint tensor table names {t.Name} twice");
            if (t.DType is null || !ElementBytes.TryGetValue(t.DType, out int size))
                throw new FlipGuardException($"{path}: tensor {t.Name} has element type '{t.DType}' (known: {string.Join(", ", ElementBytes.Keys)})");
            if (t.Shape is null) throw new FlipGuardException($"{path}: tensor {t.Name} has no shape");
            if (t.Shape.Length > 8 || t.Shape.Any(d => d < 0)) throw new FlipGuardException($"{path}: tensor {t.Name} has an impossible shape [{string.Join(",", t.Shape)}]");
            long bytes;
            try { bytes = checked(t.Shape.Aggregate(1L, (a, d) => a * d) * size); }
            catch (OverflowException) { throw new FlipGuardException($"{path}: tensor {t.Name}'s shape [{string.Join(",", t.Shape)}] overflows"); }
            if (t.Length != bytes) throw new FlipGuardException($"{path}: tensor {t.Name} declares {t.Length} bytes but {t.DType}[{string.Join(",", t.Shape)}] needs {bytes}");
            if (t.Offset != expected) throw new FlipGuardException($"{path}: tensor table is inconsistent at {t.Name} (offset {t.Offset}, expected {expected})");
            try { expected = checked(expected + t.Length); }
            catch (OverflowException) { throw new FlipGuardException($"{path}: tensor table's sizes overflow at {t.Name}"); }
        }
    }

    /// <summary>
    /// The SHA-256 of the header itself: its canonical JSON with this field left empty. Writer and reader both
    /// serialise the record (never the raw bytes), so the hash covers exactly the fields this build understands.
    /// </summary>
    public static string HeaderHash(CheckpointMetadata meta) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(meta with { HeaderSha256 = "" }, CheckpointFile.JsonOptions)));
}
