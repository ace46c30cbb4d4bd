using FlipGuard.Core;

namespace FlipGuard.Defenses;

/// <summary>
/// The run-time defenses this build knows, in help order. Adding one is its file (an <see cref="IDefenseKind"/>
/// with its settings) and one line here: <c>flipguard defend --defense</c> and its options, a study's defense list
/// and the report's words for it follow.
/// </summary>
public static class DefenseCatalog
{
    /// <summary>The catalogue.</summary>
    public static Catalog<IDefenseKind> Default { get; } = new(
    [
        new RangeGuardKind(),
        new RadarKind(),
        new EccKind(),
        new HessianEccKind(),
    ]);
}
