namespace FlipGuard.Faults.Encodings;

/// <summary>
/// How a weight format holds a value in memory, and what flipping one of its bits does to the value the model computes
/// with. Every format stores an entry as a word of <see cref="BitCount"/> bits (the low bits of a <c>uint</c>; bit 0 is
/// the least significant), and a flip inverts one bit of that word (<see cref="WordBits"/>), so flips are exact and
/// compose. A format may carry one quantisation parameter per tensor, its scale (int8: max|w|/127); formats that store
/// the value itself ignore it. Implementations are stateless singletons listed in <see cref="WeightEncodings.All"/>.
/// The bulk members exist so that loops over millions of entries or flips make one call per block, not one per item;
/// their default bodies loop over the single-item members, and an encoding overrides them with its own loop.
/// </summary>
public interface IWeightEncoding
{
    /// <summary>The name the command line, definitions and charts use: <c>float32</c>, <c>int8</c>.</summary>
    string Name { get; }

    /// <summary>Bits per stored entry (32 for float32, 8 for int8); flippable positions are 0 … BitCount−1.</summary>
    int BitCount { get; }

    /// <summary>The sign bit.</summary>
    int SignBit { get; }

    /// <summary>The exponent's bit positions, ascending (float32: 23–30); empty for an integer format.</summary>
    IReadOnlyList<int> ExponentBits { get; }

    /// <summary>Whether the format stores integers (it has no exponent): attack steps then record the integers beside the values.</summary>
    bool IsInteger => ExponentBits.Count == 0;

    /// <summary>
    /// Whether only weight tensors (dense and convolution kernels) are stored in this format, as int8 deployments do;
    /// biases and normalisation parameters then stay float32 and cannot be hit.
    /// </summary>
    bool WeightsOnly { get; }

    /// <summary>Whether encoding rounds values to the format's grid, so a target must write the encoded values back into the model.</summary>
    bool Quantises { get; }

    /// <summary>Entries in one 64-bit memory word (float32: 2, int8: 8): the unit ECC check bits cover.</summary>
    int EntriesPerEccWord => 64 / BitCount;

    /// <summary>
    /// Bytes of each entry's stored word that a flip-site table keeps after the values (int8: 1, the integer q). 0 when
    /// the word is rebuilt from the value with <see cref="Store(float, float)"/> (float32: the value's own bits).
    /// Part of the stored layout: changing it changes the bytes (and the hash) of every table of this format.
    /// </summary>
    int SiteWordBytes { get; }

    /// <summary>
    /// Encodes one tensor (flat, storage order) and overwrites <paramref name="values"/> with what the model then
    /// computes with; returns the tensor's scale and stored words.
    /// </summary>
    /// <exception cref="FlipGuard.Core.FlipGuardException">The format cannot hold these values (int8: NaN or Inf).</exception>
    EncodedTensor Encode(Span<float> values);

    /// <summary>The value the model computes with for stored word <paramref name="word"/> of a tensor with scale <paramref name="scale"/>.</summary>
    float Decode(uint word, float scale);

    /// <summary>The word memory would hold for <paramref name="value"/> (its nearest representable value; exact for a value the format produced).</summary>
    uint Store(float value, float scale);

    /// <summary>
    /// w′ − w, in double and exact where the format allows, for flipping bit <paramref name="bit"/> of <paramref name="word"/>:
    /// the step the first-order and second-order flip predictions (BFA's bit gradient, Hessian ranking) multiply.
    /// ±Inf or NaN when the flipped value is not finite.
    /// </summary>
    double FlipDelta(uint word, float scale, int bit);

    /// <summary><see cref="Decode(uint, float)"/> of each word with its own tensor's scale.</summary>
    void Decode(ReadOnlySpan<uint> words, ReadOnlySpan<float> scales, Span<float> values)
    {
        for (int i = 0; i < words.Length; i++) values[i] = Decode(words[i], scales[i]);
    }

    /// <summary><see cref="Store(float, float)"/> of each value of one tensor.</summary>
    void Store(ReadOnlySpan<float> values, float scale, Span<uint> words)
    {
        for (int i = 0; i < values.Length; i++) words[i] = Store(values[i], scale);
    }

    /// <summary><see cref="FlipDelta"/> of bit <paramref name="bit"/> of each word of one tensor.</summary>
    void FlipDeltas(ReadOnlySpan<uint> words, float scale, int bit, Span<double> deltas)
    {
        for (int i = 0; i < words.Length; i++) deltas[i] = FlipDelta(words[i], scale, bit);
    }
}
