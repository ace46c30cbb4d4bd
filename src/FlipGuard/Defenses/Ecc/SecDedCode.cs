using System.Numerics;

namespace FlipGuard.Defenses.Ecc;

/// <summary>
/// The (72,64) single-error-correcting, double-error-detecting code of ECC memory: an extended Hamming code over
/// one 64-bit data word. The 64 data bits take the positions 1–71 that are not powers of two; the seven Hamming
/// check bits (bits 0–6 of the check byte) are the XOR of the positions of the set data bits; the eighth (bit 7)
/// makes the parity of all 72 bits even. A single flipped bit anywhere in the 72 — data or check — is corrected,
/// any two flipped bits are detected (never miscorrected). Real encode/decode, so tests can flip stored bits and see.
/// </summary>
public static class SecDedCode
{
    /// <summary>Check bits stored per 64-bit word.</summary>
    public const int CheckBits = 8;

    private static readonly byte[] Position = DataPositions();
    private static readonly int[] DataBitAt = InvertPositions();
    // Syndrome contribution of each byte value at each of the eight byte lanes of the data word.
    private static readonly byte[,] Lane = LaneTables();

    /// <summary>The eight check bits of <paramref name="data"/>.</summary>
    public static byte Encode(ulong data)
    {
        int hamming = Syndrome(data);
        int parity = (BitOperations.PopCount(data) + BitOperations.PopCount((uint)hamming)) & 1;
        return (byte)(hamming | parity << 7);
    }

    /// <summary>
    /// Checks <paramref name="data"/> against its stored <paramref name="check"/> bits. Returns the corrected data
    /// word and what was found: no error, a corrected single error (in data or in the check bits), or an
    /// uncorrectable error (two flips, or more that happen to look like it), in which case the data is returned as read.
    /// </summary>
    public static (ulong Data, SecDedStatus Status) Decode(ulong data, byte check)
    {
        int syndrome = Syndrome(data) ^ (check & 0x7F);
        int parity = (BitOperations.PopCount(data) + BitOperations.PopCount((uint)check)) & 1;
        if (syndrome == 0) return (data, parity == 0 ? SecDedStatus.Clean : SecDedStatus.Corrected);
        if (parity == 0) return (data, SecDedStatus.Uncorrectable);
        if (BitOperations.IsPow2(syndrome)) return (data, SecDedStatus.Corrected); // a Hamming check bit flipped
        int bit = syndrome < DataBitAt.Length ? DataBitAt[syndrome] : -1;
        return bit < 0 ? (data, SecDedStatus.Uncorrectable) : (data ^ 1UL << bit, SecDedStatus.Corrected);
    }

    private static int Syndrome(ulong data)
    {
        int s = 0;
        for (int lane = 0; lane < 8; lane++) s ^= Lane[lane, (int)(data >> 8 * lane & 0xFF)];
        return s;
    }

    private static byte[] DataPositions()
    {
        var p = new byte[64];
        int bit = 0;
        for (int pos = 1; bit < 64; pos++)
            if (!BitOperations.IsPow2(pos)) p[bit++] = (byte)pos;
        return p;
    }

    private static int[] InvertPositions()
    {
        var inverse = new int[72];
        Array.Fill(inverse, -1);
        for (int bit = 0; bit < 64; bit++) inverse[Position[bit]] = bit;
        return inverse;
    }

    private static byte[,] LaneTables()
    {
        var t = new byte[8, 256];
        for (int lane = 0; lane < 8; lane++)
            for (int v = 0; v < 256; v++)
            {
                int s = 0;
                for (int b = 0; b < 8; b++)
                    if ((v >> b & 1) != 0) s ^= Position[8 * lane + b];
                t[lane, v] = (byte)s;
            }
        return t;
    }
}

/// <summary>What <see cref="SecDedCode.Decode"/> found in one 72-bit word.</summary>
public enum SecDedStatus
{
    /// <summary>Data and check bits agree.</summary>
    Clean,
    /// <summary>One bit (data or check) was wrong and has been corrected.</summary>
    Corrected,
    /// <summary>Two (or more) bits were wrong: detected, not correctable.</summary>
    Uncorrectable,
}
