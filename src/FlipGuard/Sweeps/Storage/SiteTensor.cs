using FlipGuard.Faults.Targets;

namespace FlipGuard.Sweeps.Storage;

/// <summary>
/// What a sweep needs to know about one swept tensor once the model is gone (merging shards needs no torch):
/// its index in <see cref="FlipTarget.Tensors"/>, name, layer, kind, size and the encoding's scale (int8: max|w|/127; 0 for float32).
/// </summary>
public sealed record SiteTensor(int Target, string Name, string Layer, TensorKind Kind, long Length, float Scale);
