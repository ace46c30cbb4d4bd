namespace FlipGuard.Faults.Encodings;

/// <summary>
/// The float32 bit model: bit 0 is the mantissa's least significant bit, 22 its most significant, 23–30 the
/// exponent (30 = exponent MSB) and 31 the sign, i.e. the bit numbering of the IEEE-754 word read as an integer.
/// A flip is an XOR on that word, so it is exact and reproducible (no arithmetic, no rounding).
/// </summary>
public static class Float32Bits
{
    /// <summary>Number of bits in a float32.</summary>
    public const int Count = 32;
    /// <summary>The sign bit.</summary>
    public const int Sign = 31;
    /// <summary>The exponent's most significant bit (flipping it 0→1 turns |w| &lt; 2 into a huge number or Inf/NaN).</summary>
    public const int ExponentMsb = 30;
    /// <summary>The exponent's least significant bit.</summary>
    public const int ExponentLsb = 23;

    /// <summary>The value with bit <paramref name="bit"/> inverted.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bit"/> is not in 0–31.</exception>
    public static float Flip(float value, int bit)
    {
        CheckBit(bit);
        return BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(value) ^ (1 << bit));
    }

    /// <summary>Whether bit <paramref name="bit"/> of <paramref name="value"/> is 1.</summary>
    public static bool IsSet(float value, int bit)
    {
        CheckBit(bit);
        return (BitConverter.SingleToInt32Bits(value) >> bit & 1) != 0;
    }

    /// <summary>The direction a flip of <paramref name="bit"/> goes for <paramref name="value"/>.</summary>
    public static FlipDirection Direction(float value, int bit) => IsSet(value, bit) ? FlipDirection.OneToZero : FlipDirection.ZeroToOne;

    private static void CheckBit(int bit)
    {
        if ((uint)bit >= Count) throw new ArgumentOutOfRangeException(nameof(bit), bit, "a float32 bit is 0–31");
    }
}
