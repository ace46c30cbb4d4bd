using FlipGuard.Core;
using FlipGuard.Faults.Encodings;

namespace FlipGuard.Tests.Faults;

/// <summary>
/// The two weight encodings against the bit model they wrap (<see cref="Float32Bits"/>, <see cref="Int8Quantizer"/>):
/// every bit of every value flips to what those give, bit for bit, and the bulk members equal the single ones.
/// </summary>
public class WeightEncodingTests
{
    private static readonly float[] Specials =
    [
        0f, -0f, 1f, -1f, 0.5f, -2.5f, 3.1415927f, float.MaxValue, float.MinValue, float.Epsilon, -float.Epsilon,
        1.17549435e-38f /* smallest normal */, 1.1754942e-38f /* largest subnormal */, 5e-40f, -7.3e-42f,
        float.PositiveInfinity, float.NegativeInfinity, float.NaN, BitConverter.Int32BitsToSingle(0x7FC00001), BitConverter.Int32BitsToSingle(unchecked((int)0xFF800123)),
    ];

    private static uint Bits(float f) => BitConverter.SingleToUInt32Bits(f);

    private static long Bits(double d) => BitConverter.DoubleToInt64Bits(d);

    [Fact]
    public void Float32FlipsEveryBitOfEverySpecialValueLikeTheIeeeWord()
    {
        var e = WeightEncodings.Float32;
        foreach (float v in Specials)
        {
            uint word = e.Store(v, 0);
            Assert.Equal(Bits(v), word);
            Assert.Equal(Bits(v), Bits(e.Decode(word, 0)));
            for (int bit = 0; bit < 32; bit++)
            {
                uint flipped = WordBits.Flip(word, bit);
                float now = e.Decode(flipped, 0);
                Assert.Equal(Bits(Float32Bits.Flip(v, bit)), Bits(now));
                Assert.Equal(Float32Bits.Direction(v, bit), WordBits.Direction(word, bit));
                Assert.Equal(Bits(v), Bits(e.Decode(WordBits.Flip(flipped, bit), 0)));
                Assert.Equal(Bits((double)Float32Bits.Flip(v, bit) - v), Bits(e.FlipDelta(word, 0, bit)));
            }
        }
    }

    [Fact]
    public void Int8FlipsEveryBitOfEveryIntegerLikeTheQuantizer()
    {
        var e = WeightEncodings.Int8;
        foreach (float scale in new[] { 0.0137f, 1f / 127, 3.3e-5f, 0f })
            for (int q = -128; q <= 127; q++)
            {
                sbyte s = (sbyte)q;
                uint word = (byte)s;
                float value = e.Decode(word, scale);
                Assert.Equal(Bits(Int8Quantizer.Dequantize(s, scale)), Bits(value));
                Assert.Equal(scale == 0 ? 0u : word, e.Store(value, scale));
                Assert.Equal(q, WordBits.Signed(word, 8));
                for (int bit = 0; bit < 8; bit++)
                {
                    uint flipped = WordBits.Flip(word, bit);
                    Assert.Equal((byte)Int8Quantizer.Flip(s, bit), flipped);
                    Assert.Equal(Bits(Int8Quantizer.Dequantize(Int8Quantizer.Flip(s, bit), scale)), Bits(e.Decode(flipped, scale)));
                    Assert.Equal(Int8Quantizer.Direction(s, bit), WordBits.Direction(word, bit));
                    // The step is exactly scale·(q′ − q) (the Hessian ranking's former formula), and ∂L/∂w times it is the former
                    // int8 bit gain ∂L/∂w·scale·2^bit·(±1) bit for bit.
                    double delta = e.FlipDelta(word, scale, bit);
                    Assert.Equal(Bits(((double)Int8Quantizer.Flip(s, bit) - s) * scale), Bits(delta));
                    foreach (double g in new[] { -0.75, 3.0517578125e-5, 1234.5678, -1e-30 })
                    {
                        double former = g * scale * (bit == 7 ? -128 : 1 << bit) * (Int8Quantizer.IsSet(s, bit) ? -1 : 1);
                        Assert.Equal(Bits(former), Bits(g * delta));
                    }
                }
            }
    }

    [Fact]
    public void Int8EncodeIsTheQuantizerAndWritesTheDequantisedValues()
    {
        float[] w = [0.5f, -1.27f, 0.005f, 0.0149f, 1.27f, 0f, -0.63499f];
        var q = new sbyte[w.Length];
        float scale = Int8Quantizer.Quantize(w, q);
        float[] values = (float[])w.Clone();
        var encoded = WeightEncodings.Int8.Encode(values);
        Assert.Same(WeightEncodings.Int8, encoded.Encoding);
        Assert.Equal(scale, encoded.Scale);
        Assert.Equal(q.Select(v => (uint)(byte)v), encoded.Words.ToArray());
        Assert.Equal(q.Select(v => Int8Quantizer.Dequantize(v, scale)), values);
        Assert.Throws<FlipGuardException>(() => WeightEncodings.Int8.Encode(new[] { 1f, float.NaN }));
        var zeros = WeightEncodings.Int8.Encode(new float[3]);
        Assert.Equal(0f, zeros.Scale);
        Assert.Equal(new uint[3], zeros.Words.ToArray());
    }

    [Fact]
    public void Float32EncodeKeepsTheValuesAndTheirBits()
    {
        float[] values = (float[])Specials.Clone();
        var encoded = WeightEncodings.Float32.Encode(values);
        Assert.Equal(Specials.Select(Bits), values.Select(Bits));
        Assert.Equal(Specials.Select(Bits), encoded.Words.ToArray());
        Assert.Equal(0f, encoded.Scale);
    }

    [Fact]
    public void BulkMembersEqualTheSingleOnes()
    {
        var rng = new Random(4);
        foreach (var e in WeightEncodings.All)
        {
            float scale = e.Quantises ? 0.021f : 0;
            var words = Enumerable.Range(0, 300).Select(_ => (uint)rng.NextInt64(0, 1L << e.BitCount)).Concat(Specials.Select(Bits).Where(w => e.BitCount == 32)).ToArray();
            var scales = words.Select((_, i) => e.Quantises ? 0.001f * (i % 7) : 0).ToArray();
            var values = new float[words.Length];
            e.Decode(words, scales, values);
            Assert.Equal(words.Select((w, i) => Bits(e.Decode(w, scales[i]))), values.Select(Bits));
            var stored = new uint[words.Length];
            var decoded = words.Select(w => e.Decode(w, scale)).ToArray();
            e.Store(decoded, scale, stored);
            Assert.Equal(decoded.Select(v => e.Store(v, scale)), stored);
            var deltas = new double[words.Length];
            for (int bit = 0; bit < e.BitCount; bit++)
            {
                e.FlipDeltas(words, scale, bit, deltas);
                Assert.Equal(words.Select(w => Bits(e.FlipDelta(w, scale, bit))), deltas.Select(Bits));
            }
        }
    }

    [Fact]
    public void TheEncodingsDescribeTheirBits()
    {
        var f = WeightEncodings.Float32;
        Assert.Equal(("float32", 32, 31, false, false, false, 2, 0), (f.Name, f.BitCount, f.SignBit, f.IsInteger, f.WeightsOnly, f.Quantises, f.EntriesPerEccWord, f.SiteWordBytes));
        Assert.Equal(Enumerable.Range(23, 8), f.ExponentBits);
        var i = WeightEncodings.Int8;
        Assert.Equal(("int8", 8, 7, true, true, true, 8, 1), (i.Name, i.BitCount, i.SignBit, i.IsInteger, i.WeightsOnly, i.Quantises, i.EntriesPerEccWord, i.SiteWordBytes));
        Assert.Empty(i.ExponentBits);
        Assert.Equal(-1, WordBits.Signed(0xFFFF_FFFF, 32));
        Assert.Equal(-128, WordBits.Signed(0x80, 8));
        Assert.Equal(127, WordBits.Signed(0x7F, 8));
    }

    [Fact]
    public void TheCatalogueNamesEveryEncodingAndRefusesUnknownNamesInOneLine()
    {
        Assert.Equal(["float32", "int8"], WeightEncodings.All.Select(e => e.Name));
        foreach (var e in WeightEncodings.All) Assert.Same(e, WeightEncodings.Parse(e.Name));
        Assert.Same(WeightEncodings.Int8, WeightEncodings.Parse(" INT8 "));
        Assert.Same(WeightEncodings.Int8, WeightEncodings.FromInt8Flag(true));
        Assert.Same(WeightEncodings.Float32, WeightEncodings.FromInt8Flag(false));
        var ex = Assert.Throws<FlipGuardException>(() => WeightEncodings.Parse("bfloat16"));
        Assert.Equal("unknown weight encoding 'bfloat16'; known: float32, int8", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }
}
