namespace FlipGuard.Faults.Encodings;

/// <summary>
/// Bit operations on a stored word (the low bits of a <c>uint</c>), the same for every <see cref="IWeightEncoding"/>:
/// a flip is an XOR, its direction is the bit's current state, and the word read as a two's-complement integer of its
/// width is what checksums add up (int8: q itself; float32: the IEEE word's bits).
/// </summary>
public static class WordBits
{
    /// <summary><paramref name="word"/> with bit <paramref name="bit"/> inverted.</summary>
    public static uint Flip(uint word, int bit) => word ^ 1u << bit;

    /// <summary>Whether bit <paramref name="bit"/> of <paramref name="word"/> is 1.</summary>
    public static bool IsSet(uint word, int bit) => (word >> bit & 1) != 0;

    /// <summary>The direction a flip of <paramref name="bit"/> goes for <paramref name="word"/>.</summary>
    public static FlipDirection Direction(uint word, int bit) => (FlipDirection)(word >> bit & 1);

    /// <summary>The low <paramref name="width"/> bits of <paramref name="word"/> as a signed integer (sign-extended).</summary>
    public static int Signed(uint word, int width) => (int)(word << (32 - width)) >> (32 - width);
}
