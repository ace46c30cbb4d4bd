using FlipGuard.Core;

namespace FlipGuard.Defenses;

/// <summary><c>guard</c>: the weight-range guard (<see cref="RangeGuard"/>).</summary>
public sealed class RangeGuardKind : DefenseKind<bool>
{
    /// <summary><c>clamp</c>: clamp out-of-range weights to the range instead of zeroing them.</summary>
    public static Setting<bool> Clamp { get; } = new("clamp", false, "guard: clamp out-of-range weights to the range instead of zeroing them.");

    /// <inheritdoc />
    public override string Name => "guard";

    /// <inheritdoc />
    public override string? Summary => "weight range";

    /// <inheritdoc />
    public override IReadOnlyList<Setting> Settings { get; } = [Clamp];

    /// <summary>Whether the guard clamps.</summary>
    public override bool Read(SettingValues settings) => settings.Get(Clamp);

    /// <inheritdoc />
    public override IDefense Create(bool clamp, DefenseContext context) => new RangeGuard(zero: !clamp);

    /// <inheritdoc />
    public override string Describe(bool clamp) => clamp ? "a range guard (out-of-range weights clamped to the range)" : "a range guard (out-of-range weights zeroed)";
}
