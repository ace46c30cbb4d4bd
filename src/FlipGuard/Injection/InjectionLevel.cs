using System.Text.Json.Serialization;
using FlipGuard.Statistics;

namespace FlipGuard.Injection;

/// <summary>
/// The outcome of one fault level: mean number of flipped bits, the accuracy distribution, and with a defense the
/// detection rate and the repaired accuracy distribution. <see cref="Trials"/> holds every trial (not in summaries).
/// </summary>
public sealed record InjectionLevel(double Level, int TrialCount, double MeanFlips, AccuracyDistribution Accuracy,
    double? DetectionRate, AccuracyDistribution? RepairedAccuracy)
{
    /// <summary>Every trial, in trial order.</summary>
    [JsonIgnore]
    public IReadOnlyList<InjectionTrial> Trials { get; init; } = [];

    /// <summary>Summarises <paramref name="trials"/> of level <paramref name="level"/>.</summary>
    public static InjectionLevel From(double level, IReadOnlyList<InjectionTrial> trials, int samples, long clean)
    {
        bool repaired = trials.Count > 0 && trials[0].RepairedCorrect is not null;
        return new InjectionLevel(level, trials.Count, trials.Count == 0 ? 0 : trials.Average(t => (double)t.Flips),
            AccuracyDistribution.From(trials.Select(t => t.Correct).ToList(), samples, clean),
            repaired ? trials.Count(t => t.Detected == true) / (double)trials.Count : null,
            repaired ? AccuracyDistribution.From(trials.Select(t => t.RepairedCorrect ?? 0).ToList(), samples, clean) : null)
        { Trials = trials };
    }
}
