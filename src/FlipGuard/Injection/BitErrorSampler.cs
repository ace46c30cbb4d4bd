using FlipGuard.Core;

namespace FlipGuard.Injection;

/// <summary>
/// Draws which bits of a population of n bits a random fault flips. <see cref="Independent"/> flips each bit
/// independently with probability p by walking geometric gaps between successive errors (gap ~ Geometric(p) by
/// inversion), so the cost is proportional to the number of errors, not to n, and tiny rates such as 1e-9 are
/// exact: the count is Binomial(n, p) and, given the count, the positions are uniform without replacement.
/// <see cref="Exactly"/> draws exactly k distinct positions (Floyd's algorithm). Both are seeded (SplitMix64).
/// </summary>
public static class BitErrorSampler
{
    /// <summary>Positions, ascending, each bit of 0..<paramref name="n"/>−1 chosen independently with probability <paramref name="p"/>.</summary>
    /// <exception cref="FlipGuardException"><paramref name="p"/> is not in [0, 1].</exception>
    public static List<long> Independent(long n, double p, SplitMix64 rng)
    {
        if (!(p >= 0 && p <= 1)) throw new FlipGuardException($"a bit-error rate must be in [0, 1], got {p}");
        var hits = new List<long>();
        if (p == 0 || n <= 0) return hits;
        if (p == 1)
        {
            for (long i = 0; i < n; i++) hits.Add(i);
            return hits;
        }
        double logQ = Log1MinusP(p);
        long position = -1;
        while (true)
        {
            double gap = Math.Floor(Math.Log(UnitOpenZero(rng)) / logQ);
            if (gap >= n - 1 - position) return hits;
            position += (long)gap + 1;
            hits.Add(position);
        }
    }

    /// <summary>Exactly <paramref name="k"/> distinct positions of 0..<paramref name="n"/>−1, ascending, uniform over all such sets.</summary>
    /// <exception cref="FlipGuardException"><paramref name="k"/> is negative or exceeds <paramref name="n"/>.</exception>
    public static long[] Exactly(long n, long k, SplitMix64 rng)
    {
        if (k < 0 || k > n) throw new FlipGuardException($"cannot flip {k} distinct bits of {n}");
        var chosen = new HashSet<long>();
        for (long j = n - k; j < n; j++)
        {
            long t = NextLong(rng, j + 1);
            if (!chosen.Add(t)) chosen.Add(j);
        }
        long[] result = chosen.ToArray();
        Array.Sort(result);
        return result;
    }

    /// <summary>A uniform double in (0, 1] with 53 random bits.</summary>
    private static double UnitOpenZero(SplitMix64 rng) => ((rng.NextUInt64() >> 11) + 1) * (1.0 / (1UL << 53));

    /// <summary>log(1 − p), accurate for tiny p (where 1 − p rounds away most of p's digits).</summary>
    private static double Log1MinusP(double p)
    {
        double u = 1 - p;
        return u == 1 ? -p : Math.Log(u) * -p / (u - 1);
    }

    private static long NextLong(SplitMix64 rng, long exclusiveMax)
    {
        ulong bound = (ulong)exclusiveMax;
        ulong limit = ulong.MaxValue - ulong.MaxValue % bound;
        ulong x;
        do x = rng.NextUInt64(); while (x >= limit);
        return (long)(x % bound);
    }
}
