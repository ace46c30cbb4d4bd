namespace FlipGuard.Faults.Encodings;

/// <summary>
/// Which way a flipped bit went. The two directions matter differently: setting an exponent bit that was 0
/// multiplies a weight by up to 2^128, clearing one shrinks it, so resilience figures are split by direction.
/// </summary>
public enum FlipDirection : byte
{
    /// <summary>The bit was 0 and becomes 1.</summary>
    ZeroToOne = 0,
    /// <summary>The bit was 1 and becomes 0.</summary>
    OneToZero = 1,
}
