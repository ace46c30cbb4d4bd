using FlipGuard.Core;
using FlipGuard.Hessian;
using FlipGuard.Training.Objectives;

namespace FlipGuard.Training.Regularizers;

/// <summary><c>trace</c>: Hessian-aware training, loss + λ·Tr(H) (<see cref="HessianTraceObjective"/>).</summary>
public sealed class TraceRegularizer : Regularizer<TraceSettings>
{
    /// <summary><c>probes</c>: Hutchinson probes per regularised step.</summary>
    public static Setting<int> Probes { get; } = new("probes", 1, "Hutchinson probes per regularised step.") { Range = NumericRange.UpTo(10_000) };

    /// <inheritdoc />
    public override string Name => "trace";

    /// <inheritdoc />
    public override string? Summary => "Hessian-aware: + lambda*Tr(H)";

    /// <inheritdoc />
    public override IReadOnlyList<Setting> Settings { get; } = [.. HessianPenalty.All, Probes];

    /// <inheritdoc />
    public override TraceSettings Read(SettingValues settings) => new(HessianPenalty.Read(settings), settings.Get(Probes));

    /// <inheritdoc />
    public override IStepObjective Create(TraceSettings s, long seed) =>
        new HessianTraceObjective(s.Penalty.Lambda, s.Probes, LayerSelection.Parse(s.Penalty.Layers), s.Penalty.Every, seed);

    /// <inheritdoc />
    public override string Describe(TraceSettings s) => $"HAT trace {s.Penalty.Describe()}";
}

/// <summary>The settings of <c>trace</c>.</summary>
/// <param name="Penalty">λ, layers, schedule.</param>
/// <param name="Probes">Hutchinson probes per regularised step.</param>
public sealed record TraceSettings(HessianPenaltySettings Penalty, int Probes);
