namespace FlipGuard.Faults.Targets;

/// <summary>
/// One parameter entry set to a new value: tensor index into <see cref="FlipTarget.Tensors"/>, flat element
/// index, new float value. A flip is described by its effect rather than by (bit, format) so that evaluators
/// need not know the bit model (float32 or int8).
/// </summary>
public readonly record struct ParameterChange(int Tensor, long Index, float NewValue);
