using FlipGuard.Core;

namespace FlipGuard.Training.Regularizers;

/// <summary>
/// The settings both Hessian penalties (<c>trace</c>, <c>top-eig</c>) read: one <c>--lambda</c>, one
/// <c>--hessian-layers</c> and one <c>--reg-every</c> for both, so a study's training defaults set them for either.
/// </summary>
public static class HessianPenalty
{
    /// <summary><c>lambda</c>: the penalty's weight λ.</summary>
    public static Setting<double> Lambda { get; } = new("lambda", 0.01, "Weight of the Hessian penalty.") { Range = NumericRange.NonNegativeReal };

    /// <summary>
    /// <c>hessian-layers</c>: the layers the penalty sees (<c>all</c>, <c>last:N</c>, <c>sample:K</c>, names). The default,
    /// one layer resampled at each regularised step, costs a fraction of <c>all</c> and cut the trace as much in our
    /// runs (docs/benchmarks.md, docs/results.md).
    /// </summary>
    public static Setting<string> Layers { get; } = new("hessian-layers", "sample:1",
        "Layers the Hessian penalty sees: all, last:N, sample:K (resampled each step) or names (fc1,fc2). The default, one layer resampled each time, is the recommended cheap mode.");

    /// <summary><c>reg-every</c>: add the penalty every N steps (default 4: with one sampled layer, ≈1.3× a plain step).</summary>
    public static Setting<int> Every { get; } = new("reg-every", 4, "Add the Hessian penalty every N steps.") { Range = NumericRange.Positive };

    /// <summary>The three, in help order.</summary>
    public static IReadOnlyList<Setting> All { get; } = [Lambda, Layers, Every];

    /// <summary>The record of <paramref name="values"/>.</summary>
    public static HessianPenaltySettings Read(SettingValues values) => new(values.Get(Lambda), values.Get(Layers), values.Get(Every));
}

/// <summary>The shared part of a Hessian penalty's settings.</summary>
/// <param name="Lambda">Weight λ of the penalty.</param>
/// <param name="Layers">Layer selection (<c>sample:1</c>).</param>
/// <param name="Every">The penalty is added every this many steps.</param>
public sealed record HessianPenaltySettings(double Lambda, string Layers, int Every)
{
    /// <summary>As a report puts it: <c>λ=0.01, layers sample:1 every 4 steps</c>.</summary>
    public string Describe() => $"λ={Lambda:G3}, layers {Layers}" + (Every > 1 ? $" every {Every} steps" : "");
}
