using FlipGuard.Core;
using FlipGuard.Training.Objectives;

namespace FlipGuard.Training.Regularizers;

/// <summary><c>sam</c>: sharpness-aware minimisation, the flatness baseline (<see cref="SharpnessAwareObjective"/>).</summary>
public sealed class SharpnessAwareRegularizer : Regularizer<SharpnessAwareSettings>
{
    /// <summary><c>rho</c>: the radius ρ of the neighbourhood SAM takes the worst point of.</summary>
    public static Setting<double> Rho { get; } = new("rho", 0.05, "SAM neighbourhood radius.") { Range = NumericRange.PositiveReal };

    /// <inheritdoc />
    public override string Name => "sam";

    /// <inheritdoc />
    public override string? Summary => "sharpness-aware baseline";

    /// <inheritdoc />
    public override IReadOnlyList<Setting> Settings { get; } = [Rho];

    /// <inheritdoc />
    public override SharpnessAwareSettings Read(SettingValues settings) => new(settings.Get(Rho));

    /// <inheritdoc />
    public override IStepObjective Create(SharpnessAwareSettings s, long seed) => new SharpnessAwareObjective(s.Rho);

    /// <inheritdoc />
    public override string Describe(SharpnessAwareSettings s) => $"SAM ρ={s.Rho:G3}";
}

/// <summary>The settings of <c>sam</c>.</summary>
/// <param name="Rho">Neighbourhood radius ρ.</param>
public sealed record SharpnessAwareSettings(double Rho);
