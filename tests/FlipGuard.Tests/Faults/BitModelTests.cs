using FlipGuard.Faults.Encodings;

namespace FlipGuard.Tests.Faults;

public class BitModelTests
{
    private static int Bits(float f) => BitConverter.SingleToInt32Bits(f);

    [Fact]
    public void ExponentMsbOfOneGivesInfinity()
    {
        Assert.Equal(0x3F800000, Bits(1.0f));
        float r = Float32Bits.Flip(1.0f, 30);
        Assert.Equal(0x7F800000, Bits(r));
        Assert.True(float.IsPositiveInfinity(r));
        Assert.Equal(FlipDirection.ZeroToOne, Float32Bits.Direction(1.0f, 30));
    }

    [Fact]
    public void ExponentMsbOfAHalfGivesTwoToThe127()
    {
        float r = Float32Bits.Flip(0.5f, 30);
        Assert.Equal(0x7F000000, Bits(r));
        Assert.Equal(MathF.Pow(2, 127), r);
        Assert.True(float.IsFinite(r));
    }

    [Fact]
    public void SignMantissaAndNaN()
    {
        Assert.Equal(-0.5f, Float32Bits.Flip(0.5f, 31));
        Assert.Equal(FlipDirection.OneToZero, Float32Bits.Direction(-2f, 31));
        Assert.Equal(1.0f + MathF.Pow(2, -23), Float32Bits.Flip(1.0f, 0));
        Assert.Equal(1.5f, Float32Bits.Flip(1.0f, 22));
        // 1.5f = 0x3FC00000: setting the exponent MSB gives an all-ones exponent with a non-zero mantissa: NaN.
        Assert.True(float.IsNaN(Float32Bits.Flip(1.5f, 30)));
        Assert.Equal(1.5f, Float32Bits.Flip(Float32Bits.Flip(1.5f, 30), 30));
        Assert.Throws<ArgumentOutOfRangeException>(() => Float32Bits.Flip(1f, 32));
    }

    [Fact]
    public void Int8QuantisationRoundTripsAndFlips()
    {
        float[] w = [0.5f, -1.27f, 0.005f, 0.0149f, 1.27f, 0f];
        var q = new sbyte[w.Length];
        float scale = Int8Quantizer.Quantize(w, q);
        Assert.Equal(1.27f / 127f, scale);
        Assert.Equal(new sbyte[] { 50, -127, 0, 1, 127, 0 }, q);
        for (int i = 0; i < w.Length; i++) Assert.True(Math.Abs(Int8Quantizer.Dequantize(q[i], scale) - w[i]) <= scale / 2 + 1e-7f);
        Assert.Equal((sbyte)-123, Int8Quantizer.Flip(5, 7));
        Assert.Equal((sbyte)-128, Int8Quantizer.Flip(0, 7));
        Assert.Equal((sbyte)4, Int8Quantizer.Flip(5, 0));
        Assert.Equal(FlipDirection.OneToZero, Int8Quantizer.Direction(-1, 7));
        Assert.Equal(FlipDirection.ZeroToOne, Int8Quantizer.Direction(5, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Int8Quantizer.Flip(1, 8));
        var zeros = new sbyte[2];
        Assert.Equal(0f, Int8Quantizer.Quantize([0f, 0f], zeros));
    }
}
