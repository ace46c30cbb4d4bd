using FlipGuard.Faults.Encodings;

namespace FlipGuard.Faults.Targets;

/// <summary>
/// One decoded flip: where (target tensor index, flat index), which bit, which way, and the value before and
/// after as the model sees it (for int8, the dequantised values).
/// </summary>
public readonly record struct FlipSite(int Tensor, long Index, int Bit, FlipDirection Direction, float OldValue, float NewValue);
