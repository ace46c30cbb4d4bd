namespace FlipGuard.Faults.Encodings;

/// <summary>
/// IEEE-754 float32 weights (<see cref="Float32Bits"/>): the stored word is the value's own 32 bits, every parameter
/// tensor is stored this way and nothing is rounded. A flip makes the value the flipped word reads as, which can be
/// ±Inf or NaN.
/// </summary>
public sealed class Float32Encoding : IWeightEncoding
{
    private static readonly int[] Exponent = Enumerable.Range(Float32Bits.ExponentLsb, Float32Bits.ExponentMsb - Float32Bits.ExponentLsb + 1).ToArray();

    private Float32Encoding() { }

    /// <summary>The one instance.</summary>
    public static Float32Encoding Instance { get; } = new();

    /// <inheritdoc />
    public string Name => "float32";
    /// <inheritdoc />
    public int BitCount => Float32Bits.Count;
    /// <inheritdoc />
    public int SignBit => Float32Bits.Sign;
    /// <inheritdoc />
    public IReadOnlyList<int> ExponentBits => Exponent;
    /// <inheritdoc />
    public bool WeightsOnly => false;
    /// <inheritdoc />
    public bool Quantises => false;
    /// <inheritdoc />
    public int SiteWordBytes => 0;

    /// <inheritdoc />
    public EncodedTensor Encode(Span<float> values)
    {
        var words = new uint[values.Length];
        Store(values, 0, words);
        return new EncodedTensor(this, 0, words);
    }

    /// <inheritdoc />
    public float Decode(uint word, float scale) => BitConverter.UInt32BitsToSingle(word);

    /// <inheritdoc />
    public uint Store(float value, float scale) => BitConverter.SingleToUInt32Bits(value);

    /// <inheritdoc />
    public double FlipDelta(uint word, float scale, int bit)
    {
        float w = BitConverter.UInt32BitsToSingle(word);
        return (double)Float32Bits.Flip(w, bit) - w;
    }

    /// <inheritdoc />
    public void Decode(ReadOnlySpan<uint> words, ReadOnlySpan<float> scales, Span<float> values)
    {
        for (int i = 0; i < words.Length; i++) values[i] = BitConverter.UInt32BitsToSingle(words[i]);
    }

    /// <inheritdoc />
    public void Store(ReadOnlySpan<float> values, float scale, Span<uint> words)
    {
        for (int i = 0; i < values.Length; i++) words[i] = BitConverter.SingleToUInt32Bits(values[i]);
    }

    /// <inheritdoc />
    public void FlipDeltas(ReadOnlySpan<uint> words, float scale, int bit, Span<double> deltas)
    {
        for (int i = 0; i < words.Length; i++)
        {
            float w = BitConverter.UInt32BitsToSingle(words[i]);
            deltas[i] = (double)Float32Bits.Flip(w, bit) - w;
        }
    }
}
