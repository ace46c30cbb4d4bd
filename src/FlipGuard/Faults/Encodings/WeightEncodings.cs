using FlipGuard.Core;

namespace FlipGuard.Faults.Encodings;

/// <summary>
/// The catalogue of weight encodings, by name. Adding a format is its own file (an <see cref="IWeightEncoding"/>)
/// plus its entry in <see cref="All"/>.
/// </summary>
public static class WeightEncodings
{
    /// <summary>Every encoding, in the order help texts list them.</summary>
    public static IReadOnlyList<IWeightEncoding> All { get; } = [Float32Encoding.Instance, Int8Encoding.Instance];

    /// <summary>float32, the default: every parameter, every one of its 32 bits.</summary>
    public static IWeightEncoding Float32 => Float32Encoding.Instance;

    /// <summary>int8: weight tensors quantised symmetrically per tensor, the 8 bits of q.</summary>
    public static IWeightEncoding Int8 => Int8Encoding.Instance;

    /// <summary>The encoding named <paramref name="name"/> (case-insensitive, e.g. <c>int8</c>).</summary>
    /// <exception cref="FlipGuardException">No encoding has that name.</exception>
    public static IWeightEncoding Parse(string name)
    {
        string n = name.Trim().ToLowerInvariant();
        return All.FirstOrDefault(e => e.Name == n)
            ?? throw new FlipGuardException($"unknown weight encoding '{name}'; known: {string.Join(", ", All.Select(e => e.Name))}");
    }

    /// <summary>The encoding the former bool <c>int8</c> flag meant: int8 when set, else float32.</summary>
    public static IWeightEncoding FromInt8Flag(bool int8) => int8 ? Int8 : Float32;
}
