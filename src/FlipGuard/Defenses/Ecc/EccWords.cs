using FlipGuard.Faults.Encodings;
using FlipGuard.Faults.Targets;

namespace FlipGuard.Defenses.Ecc;

/// <summary>
/// How ECC memory sees a tensor: consecutive 64-bit words, each holding the encoding's
/// <see cref="IWeightEncoding.EntriesPerEccWord"/> entries (2 float32 or 8 int8)
/// (flat storage order; the last word of a tensor is padded with zero bits). Selective protection chooses words,
/// because check bits belong to a word, not to a weight.
/// </summary>
public static class EccWords
{
    /// <summary>Entries per 64-bit word of <paramref name="target"/>'s encoding: 2 (float32) or 8 (int8).</summary>
    public static int EntriesPerWord(FlipTarget target) => target.Encoding.EntriesPerEccWord;

    /// <summary>Words covering <paramref name="entries"/> entries.</summary>
    public static long Count(long entries, int perWord) => (entries + perWord - 1) / perWord;

    /// <summary>Packs the stored words of entries [w·perWord, …) of <paramref name="words"/> into a 64-bit word.</summary>
    public static ulong Pack(ReadOnlySpan<uint> words, long word, int perWord)
    {
        int width = 64 / perWord;
        ulong mask = width == 32 ? 0xFFFF_FFFFUL : (1UL << width) - 1;
        ulong data = 0;
        long first = word * perWord;
        for (int k = 0; k < perWord && first + k < words.Length; k++) data |= (words[(int)(first + k)] & mask) << (k * width);
        return data;
    }

    /// <summary>Entry <paramref name="k"/>'s stored word inside the 64-bit <paramref name="data"/>.</summary>
    public static uint Unpack(ulong data, int k, int perWord)
    {
        int width = 64 / perWord;
        ulong mask = width == 32 ? 0xFFFF_FFFFUL : (1UL << width) - 1;
        return (uint)(data >> (k * width) & mask);
    }
}
