namespace FlipGuard.Faults.Encodings;

/// <summary>
/// A weight tensor as an int8 deployment stores it: the per-tensor scale and the integers q
/// (see <see cref="Int8Quantizer"/>); the model computes with scale·q.
/// </summary>
public sealed class QuantizedTensor(float scale, sbyte[] q)
{
    /// <summary>max|w|/127 of the float weights the tensor was quantised from.</summary>
    public float Scale { get; } = scale;

    /// <summary>The stored integers, flat in storage order. Read only; flips never modify it.</summary>
    public ReadOnlyMemory<sbyte> Q { get; } = q;
}
