namespace FlipGuard.Injection;

/// <summary>How a random-fault campaign's levels are read.</summary>
public enum InjectionMode
{
    /// <summary>Each level is a bit-error rate: every bit flips independently with that probability.</summary>
    BitErrorRate,
    /// <summary>Each level is a number of bits: exactly that many distinct bits flip, chosen uniformly.</summary>
    FixedCount,
}
