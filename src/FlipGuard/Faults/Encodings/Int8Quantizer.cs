using FlipGuard.Core;

namespace FlipGuard.Faults.Encodings;

/// <summary>
/// Symmetric per-tensor int8 quantisation, the storage model of the int8 sweeps: scale = max|w|/127,
/// q = round(w/scale) (half to even, as torch.round) clamped to [-127, 127], stored in two's complement with
/// bits 0–7 (7 = sign). A flip inverts one bit of q; the model then sees the dequantised weight scale·q'.
/// Flipping can reach −128, which dequantises to −128·scale like any int8 kernel would read it.
/// </summary>
public static class Int8Quantizer
{
    /// <summary>Number of bits in an int8.</summary>
    public const int Count = 8;
    /// <summary>The sign bit of a two's-complement int8.</summary>
    public const int Sign = 7;

    /// <summary>
    /// Quantises <paramref name="weights"/> into <paramref name="q"/> and returns the scale. An all-zero tensor gets
    /// scale 0 (every q = 0), so its flips dequantise to 0 and cannot change the model.
    /// </summary>
    public static float Quantize(ReadOnlySpan<float> weights, Span<sbyte> q)
    {
        if (q.Length != weights.Length) throw new ArgumentException("q must have one entry per weight", nameof(q));
        float max = 0;
        foreach (float w in weights)
        {
            if (!float.IsFinite(w)) throw new FlipGuardException("cannot quantise a tensor holding NaN or Inf to int8");
            max = Math.Max(max, Math.Abs(w));
        }
        float scale = max / 127f;
        for (int i = 0; i < weights.Length; i++)
            q[i] = scale == 0 ? (sbyte)0 : (sbyte)Math.Clamp(MathF.Round(weights[i] / scale, MidpointRounding.ToEven), -127f, 127f);
        return scale;
    }

    /// <summary>The float the model computes with for the stored integer <paramref name="q"/>.</summary>
    public static float Dequantize(sbyte q, float scale) => scale * q;

    /// <summary><paramref name="q"/> with bit <paramref name="bit"/> (0–7, 7 = sign) inverted.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bit"/> is not in 0–7.</exception>
    public static sbyte Flip(sbyte q, int bit)
    {
        CheckBit(bit);
        return unchecked((sbyte)((byte)q ^ (1 << bit)));
    }

    /// <summary>Whether bit <paramref name="bit"/> of <paramref name="q"/> is 1.</summary>
    public static bool IsSet(sbyte q, int bit)
    {
        CheckBit(bit);
        return ((byte)q >> bit & 1) != 0;
    }

    /// <summary>The direction a flip of <paramref name="bit"/> goes for <paramref name="q"/>.</summary>
    public static FlipDirection Direction(sbyte q, int bit) => IsSet(q, bit) ? FlipDirection.OneToZero : FlipDirection.ZeroToOne;

    private static void CheckBit(int bit)
    {
        if ((uint)bit >= Count) throw new ArgumentOutOfRangeException(nameof(bit), bit, "an int8 bit is 0–7");
    }
}
