namespace FlipGuard.Faults.Encodings;

/// <summary>
/// A parameter tensor as its <see cref="IWeightEncoding"/> stores it: the per-tensor scale (int8: max|w|/127; 0 for
/// a format without one) and the stored words, flat in storage order, of the clean values. The model computes with
/// the decoded words.
/// </summary>
public sealed class EncodedTensor(IWeightEncoding encoding, float scale, uint[] words)
{
    /// <summary>The format.</summary>
    public IWeightEncoding Encoding { get; } = encoding;

    /// <summary>The tensor's quantisation scale (int8: max|w|/127 of the float weights it was quantised from; 0 for float32).</summary>
    public float Scale { get; } = scale;

    /// <summary>The clean stored words (low <see cref="IWeightEncoding.BitCount"/> bits of each). Read only; flips never modify it.</summary>
    public ReadOnlyMemory<uint> Words { get; } = words;

    /// <summary>The value the model computes with for <paramref name="word"/>.</summary>
    public float Decode(uint word) => Encoding.Decode(word, Scale);

    /// <summary>The word memory would hold for <paramref name="value"/>.</summary>
    public uint Store(float value) => Encoding.Store(value, Scale);
}
