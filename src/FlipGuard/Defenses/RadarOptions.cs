namespace FlipGuard.Defenses;

/// <summary>
/// Settings of <see cref="RadarChecksum"/>: entries per group, interleaved or contiguous groups, which bits of the
/// masked group sum form the signature (null = the stored word's two top bits: 6–7 for int8, 30–31 for float32,
/// the bits a bit-flip attack goes for), and the secret key that draws the ±1 mask.
/// </summary>
public sealed record RadarOptions(int GroupSize = 64, bool Interleaved = true, IReadOnlyList<int>? SignatureBits = null, ulong Key = 0);
