namespace FlipGuard.Core;

/// <summary>
/// A tiny deterministic PRNG (Steele, Lea and Flood's SplitMix64) used wherever an order must be reproducible
/// across runtimes and platforms; <see cref="System.Random"/> is avoided because its algorithm may change.
/// </summary>
public sealed class SplitMix64
{
    private const ulong Gamma = 0x9E3779B97F4A7C15;
    private ulong state;

    /// <summary>Starts the sequence at <paramref name="seed"/>; equal seeds give equal sequences.</summary>
    public SplitMix64(ulong seed) => state = seed;

    /// <summary>A generator for stream <paramref name="stream"/> of <paramref name="seed"/> (e.g. an epoch), independent of the others.</summary>
    public static SplitMix64 ForStream(ulong seed, ulong stream) => new(Mix(seed) ^ Mix(stream + Gamma));

    /// <summary>The next 64 uniformly distributed bits.</summary>
    public ulong NextUInt64()
    {
        state += Gamma;
        return Mix(state);
    }

    /// <summary>A uniform integer in [0, <paramref name="exclusiveMax"/>), without modulo bias (rejection sampling).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="exclusiveMax"/> is not positive.</exception>
    public int NextInt(int exclusiveMax)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(exclusiveMax);
        ulong bound = (ulong)exclusiveMax;
        ulong limit = ulong.MaxValue - ulong.MaxValue % bound;
        ulong x;
        do x = NextUInt64(); while (x >= limit);
        return (int)(x % bound);
    }

    /// <summary>Shuffles <paramref name="items"/> in place (Fisher–Yates, from the last element down).</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}
