using FlipGuard.Core;
using FlipGuard.Faults.Encodings;
using FlipGuard.Faults.Targets;

namespace FlipGuard.Defenses;

/// <summary><c>radar</c>: RADAR's group checksums (<see cref="RadarChecksum"/>), with <see cref="RadarOptions"/> as its record.</summary>
public sealed class RadarKind : DefenseKind<RadarOptions>
{
    /// <summary><c>group-size</c>: entries per checksum group.</summary>
    public static Setting<int> GroupSize { get; } = new("group-size", 64, "radar: entries per checksum group.") { Range = NumericRange.Positive };

    /// <summary><c>contiguous</c>: contiguous groups instead of interleaved ones.</summary>
    public static Setting<bool> Contiguous { get; } = new("contiguous", false, "radar: contiguous groups instead of interleaved ones.");

    /// <summary><c>signature-bits</c>: bit positions of the masked group sum kept as signature (null: the word's top two).</summary>
    public static Setting<string?> SignatureBits { get; } = new("signature-bits", null,
        "radar: bit positions of the masked group sum kept as signature, e.g. 6,7 (default: the top two bits of the stored word).");

    /// <summary><c>key</c>: the secret key drawing the ±1 mask.</summary>
    public static Setting<long> Key { get; } = new("key", 0L, "radar: secret key drawing the ±1 mask.") { Range = NumericRange.AnyLong };

    /// <inheritdoc />
    public override string Name => "radar";

    /// <inheritdoc />
    public override string? Summary => "checksums, zero the group";

    /// <inheritdoc />
    public override IReadOnlyList<Setting> Settings { get; } = [GroupSize, Contiguous, SignatureBits, Key];

    /// <inheritdoc />
    public override RadarOptions Read(SettingValues settings) => new(settings.Get(GroupSize), !settings.Get(Contiguous),
        settings.Get(SignatureBits) is { } bits ? BitSelection.Parse(bits, WeightEncodings.Float32).Bits.ToList() : null, unchecked((ulong)settings.Get(Key)));

    /// <inheritdoc />
    public override IDefense Create(RadarOptions options, DefenseContext context) => new RadarChecksum(options);

    /// <inheritdoc />
    public override string Describe(RadarOptions options) =>
        $"RADAR checksums ({(options.Interleaved ? "" : "contiguous ")}groups of {options.GroupSize}, flagged groups zeroed)";
}
