namespace FlipGuard.Faults.Encodings;

/// <summary>
/// Symmetric per-tensor int8 weights (<see cref="Int8Quantizer"/>): only weight tensors are quantised, the stored word
/// is the two's-complement integer q (bits 0–7, 7 = sign) and the model computes with scale·q. Recovering q from a live
/// value is exact: scale·q rounds to the float nearest it, and dividing by the scale lands within far less than ½ of q
/// for |q| ≤ 128.
/// </summary>
public sealed class Int8Encoding : IWeightEncoding
{
    private Int8Encoding() { }

    /// <summary>The one instance.</summary>
    public static Int8Encoding Instance { get; } = new();

    /// <inheritdoc />
    public string Name => "int8";
    /// <inheritdoc />
    public int BitCount => Int8Quantizer.Count;
    /// <inheritdoc />
    public int SignBit => Int8Quantizer.Sign;
    /// <inheritdoc />
    public IReadOnlyList<int> ExponentBits => [];
    /// <inheritdoc />
    public bool WeightsOnly => true;
    /// <inheritdoc />
    public bool Quantises => true;
    /// <inheritdoc />
    public int SiteWordBytes => 1;

    /// <summary>The value of bit position <paramref name="bit"/> in a two's-complement int8: 2^bit, and −128 for the sign bit.</summary>
    public static int Place(int bit) => bit == Int8Quantizer.Sign ? -128 : 1 << bit;

    /// <inheritdoc />
    /// <exception cref="FlipGuard.Core.FlipGuardException">A value is NaN or Inf.</exception>
    public EncodedTensor Encode(Span<float> values)
    {
        var q = new sbyte[values.Length];
        float scale = Int8Quantizer.Quantize(values, q);
        var words = new uint[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            words[i] = (byte)q[i];
            values[i] = Int8Quantizer.Dequantize(q[i], scale);
        }
        return new EncodedTensor(this, scale, words);
    }

    /// <inheritdoc />
    public float Decode(uint word, float scale) => Int8Quantizer.Dequantize(unchecked((sbyte)(byte)word), scale);

    /// <inheritdoc />
    public uint Store(float value, float scale)
    {
        if (scale == 0 || !float.IsFinite(value)) return 0;
        return (byte)(sbyte)Math.Clamp(MathF.Round(value / scale), -128f, 127f);
    }

    /// <summary>
    /// scale · (place value of the bit) · (+1 for 0→1, −1 for 1→0): exactly scale·(q′ − q), so ∂L/∂w times it is the
    /// bit gradient ∂L/∂b·(1 − 2b) of BFA.
    /// </summary>
    public double FlipDelta(uint word, float scale, int bit) => (double)scale * Place(bit) * (WordBits.IsSet(word, bit) ? -1 : 1);

    /// <inheritdoc />
    public void Decode(ReadOnlySpan<uint> words, ReadOnlySpan<float> scales, Span<float> values)
    {
        for (int i = 0; i < words.Length; i++) values[i] = Int8Quantizer.Dequantize(unchecked((sbyte)(byte)words[i]), scales[i]);
    }

    /// <inheritdoc />
    public void FlipDeltas(ReadOnlySpan<uint> words, float scale, int bit, Span<double> deltas)
    {
        double up = (double)scale * Place(bit);
        for (int i = 0; i < words.Length; i++) deltas[i] = WordBits.IsSet(words[i], bit) ? -up : up;
    }
}
