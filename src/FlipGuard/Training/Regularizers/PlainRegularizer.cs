using FlipGuard.Core;
using FlipGuard.Training.Objectives;

namespace FlipGuard.Training.Regularizers;

/// <summary><c>none</c>: plain cross-entropy, the reference every regulariser is compared with.</summary>
public sealed class PlainRegularizer : IRegularizer
{
    /// <inheritdoc />
    public string Name => "none";

    /// <inheritdoc />
    public string? Summary => null;

    /// <inheritdoc />
    public IReadOnlyList<Setting> Settings { get; } = [];

    /// <inheritdoc />
    public IStepObjective Create(SettingValues settings, long seed) => new CrossEntropyObjective();

    /// <inheritdoc />
    public string Describe(SettingValues settings) => "plain cross-entropy";
}
