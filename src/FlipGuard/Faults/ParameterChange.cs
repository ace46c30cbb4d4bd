namespace FlipGuard.Faults;

/// <summary>One parameter entry set to a new value: tensor index into FlipTarget.Tensors, flat element index, new float value.</summary>
public readonly record struct ParameterChange(int Tensor, long Index, float NewValue);
