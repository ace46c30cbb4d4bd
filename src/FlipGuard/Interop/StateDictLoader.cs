using FlipGuard.Core;
using static TorchSharp.torch;

namespace FlipGuard.Interop;

/// <summary>
/// Copies a weight file's tensors into a model by name, after checking that every name and shape matches. Batch
/// norm's <c>num_batches_tracked</c> counters may be absent on either side (ONNX does not carry them and they do
/// not change inference); floating-point tensors of another precision are converted to the model's type, and
/// a <c>module.</c> prefix (left by <c>nn.DataParallel</c>) is dropped when every name has it.
/// </summary>
public static class StateDictLoader
{
    private const string Counter = "num_batches_tracked";

    /// <summary>What loading did besides copying: renamed, converted and skipped tensors.</summary>
    public sealed record Outcome(int Loaded, string? StrippedPrefix, IReadOnlyList<string> Converted, IReadOnlyList<string> Skipped);

    /// <summary>Loads <paramref name="tensors"/> into <paramref name="model"/>.</summary>
    /// <exception cref="WeightMismatchException">Names, shapes or element types differ; lists them all.</exception>
    public static Outcome Load(nn.Module model, IReadOnlyList<StoredTensor> tensors, string source, string architecture)
    {
        var state = model.state_dict();
        string? prefix = null;
        if (tensors.Count > 0 && tensors.All(t => t.Name.StartsWith("module.", StringComparison.Ordinal)) && !state.Keys.Any(k => k.StartsWith("module.", StringComparison.Ordinal)))
        {
            prefix = "module.";
            tensors = tensors.Select(t => t with { Name = t.Name["module.".Length..] }).ToList();
        }
        var byName = new Dictionary<string, StoredTensor>();
        foreach (var t in tensors)
            if (!byName.TryAdd(t.Name, t)) throw new FlipGuardException($"{source}: tensor {t.Name} appears twice");
        var missing = new List<TensorMismatch>();
        var different = new List<TensorMismatch>();
        var skipped = new List<string>();
        foreach (var (name, target) in state)
        {
            var modelType = TensorDTypes.FromScalarType(target.dtype);
            if (!byName.TryGetValue(name, out var t))
            {
                if (IsCounter(name)) skipped.Add(name);
                else missing.Add(new TensorMismatch(name, null, null, target.shape, modelType.Name()));
                continue;
            }
            bool compatible = t.DType == modelType || (t.DType.IsFloating() && modelType.IsFloating()) || (IsCounter(name) && !t.DType.IsFloating());
            if (!t.Shape.SequenceEqual(target.shape) || !compatible)
                different.Add(new TensorMismatch(name, t.Shape, t.DType.Name(), target.shape, modelType.Name()));
        }
        var unexpected = byName.Values.Where(t => !state.ContainsKey(t.Name) && !IsCounter(t.Name))
            .Select(t => new TensorMismatch(t.Name, t.Shape, t.DType.Name(), null, null)).ToList();
        skipped.AddRange(byName.Keys.Where(n => !state.ContainsKey(n) && IsCounter(n)));
        if (missing.Count > 0 || unexpected.Count > 0 || different.Count > 0)
            throw new WeightMismatchException(source, architecture, missing, unexpected, different);
        var converted = new List<string>();
        int loaded = 0;
        using (no_grad())
        {
            foreach (var (name, target) in state)
            {
                if (!byName.TryGetValue(name, out var t)) continue;
                if (t.DType.ToScalarType() == target.dtype) target.bytes = t.Data;
                else
                {
                    using var source_ = empty(t.Shape, dtype: t.DType.ToScalarType());
                    source_.bytes = t.Data;
                    target.copy_(source_);
                    converted.Add($"{name} ({t.DType.Name()} → {TensorDTypes.FromScalarType(target.dtype).Name()})");
                }
                loaded++;
            }
        }
        return new Outcome(loaded, prefix, converted, skipped);
    }

    private static bool IsCounter(string name) => name == Counter || name.EndsWith("." + Counter, StringComparison.Ordinal);
}
