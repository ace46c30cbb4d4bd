using FlipGuard.Core;
using FlipGuard.Defenses.Ecc;

namespace FlipGuard.Tests.Defenses;

public class SecDedCodeTests
{
    private static IEnumerable<ulong> Words()
    {
        yield return 0;
        yield return ulong.MaxValue;
        yield return 0x3F800000_BF000000;
        var rng = new SplitMix64(7);
        for (int i = 0; i < 40; i++) yield return rng.NextUInt64();
    }

    // The 72 stored bits as (data, check) with stored bit j flipped: 0–63 data, 64–71 check.
    private static (ulong, byte) Flip(ulong data, byte check, int j) =>
        j < 64 ? (data ^ 1UL << j, check) : (data, (byte)(check ^ 1 << (j - 64)));

    [Fact]
    public void CleanWordsDecodeClean()
    {
        foreach (ulong w in Words())
            Assert.Equal((w, SecDedStatus.Clean), SecDedCode.Decode(w, SecDedCode.Encode(w)));
    }

    [Fact]
    public void EverySingleBitErrorInDataOrCheckBitsIsCorrected()
    {
        foreach (ulong w in Words())
        {
            byte c = SecDedCode.Encode(w);
            for (int j = 0; j < 72; j++)
            {
                var (d, k) = Flip(w, c, j);
                Assert.Equal((w, SecDedStatus.Corrected), SecDedCode.Decode(d, k));
            }
        }
    }

    [Fact]
    public void EveryDoubleBitErrorIsFlaggedAndNeverMiscorrected()
    {
        foreach (ulong w in Words().Take(12))
        {
            byte c = SecDedCode.Encode(w);
            for (int a = 0; a < 72; a++)
                for (int b = a + 1; b < 72; b++)
                {
                    var (d1, k1) = Flip(w, c, a);
                    var (d2, k2) = Flip(d1, k1, b);
                    var (data, status) = SecDedCode.Decode(d2, k2);
                    Assert.Equal(SecDedStatus.Uncorrectable, status);
                    Assert.Equal(d2, data);
                }
        }
    }

    [Fact]
    public void CheckBitsDependOnEveryDataBit()
    {
        ulong w = 0x0123_4567_89AB_CDEF;
        byte c = SecDedCode.Encode(w);
        for (int j = 0; j < 64; j++) Assert.NotEqual(c, SecDedCode.Encode(w ^ 1UL << j));
    }
}
