using FlipGuard.Core;
using FlipGuard.Hessian;
using FlipGuard.Training.Objectives;

namespace FlipGuard.Training.Regularizers;

/// <summary><c>top-eig</c>: loss + λ·(sum of the Hessian's top eigenvalues) (<see cref="TopEigenvalueObjective"/>).</summary>
public sealed class TopEigenvalueRegularizer : Regularizer<TopEigenvalueSettings>
{
    /// <summary><c>top-p</c>: how many of the largest eigenvalues are penalised.</summary>
    public static Setting<int> TopP { get; } = new("top-p", 1, "Number of top eigenvalues penalised by --reg top-eig.") { Range = NumericRange.UpTo(1000) };

    /// <inheritdoc />
    public override string Name => "top-eig";

    /// <inheritdoc />
    public override string? Summary => "+ lambda * sum of top eigenvalues";

    /// <inheritdoc />
    public override IReadOnlyList<Setting> Settings { get; } = [HessianPenalty.Lambda, TopP, HessianPenalty.Layers, HessianPenalty.Every];

    /// <inheritdoc />
    public override TopEigenvalueSettings Read(SettingValues settings) => new(HessianPenalty.Read(settings), settings.Get(TopP));

    /// <inheritdoc />
    public override IStepObjective Create(TopEigenvalueSettings s, long seed) =>
        new TopEigenvalueObjective(s.Penalty.Lambda, s.TopP, LayerSelection.Parse(s.Penalty.Layers), s.Penalty.Every, seed);

    /// <inheritdoc />
    public override string Describe(TopEigenvalueSettings s) => $"HAT top-{s.TopP} eigenvalue {s.Penalty.Describe()}";
}

/// <summary>The settings of <c>top-eig</c>.</summary>
/// <param name="Penalty">λ, layers, schedule.</param>
/// <param name="TopP">Eigenvalues penalised.</param>
public sealed record TopEigenvalueSettings(HessianPenaltySettings Penalty, int TopP);
