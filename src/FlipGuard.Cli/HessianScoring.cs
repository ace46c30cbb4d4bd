using System.CommandLine;
using FlipGuard.Core;
using FlipGuard.Data;
using FlipGuard.Defenses.Ranking;
using FlipGuard.Faults.Targets;

namespace FlipGuard.Cli;

/// <summary>The options and the call that compute Hessian-guided vulnerability scores, shared by <c>defend</c> and <c>protection-curve</c>.</summary>
public sealed class HessianScoring
{
    /// <summary><c>--probes</c>: Rademacher probes of the Hessian-diagonal estimate.</summary>
    public Option<int> Probes { get; } = new Option<int>("--probes") { Description = "Hutchinson probes for the Hessian diagonal (Hessian-guided ranking).", DefaultValueFactory = _ => 32 }.Within(NumericRange.Positive);
    /// <summary><c>--hessian-samples</c>: training samples the loss, gradient and Hessian are averaged over.</summary>
    public Option<int> Samples { get; } = new Option<int>("--hessian-samples") { Description = "Training samples for the gradient and Hessian diagonal (the defender's data, not the test set).", DefaultValueFactory = _ => 2000 }.Within(NumericRange.Positive);

    /// <summary>Scores every entry of <paramref name="target"/> for the flips of <paramref name="bits"/>.</summary>
    public EntryScores Score(ParseResult parse, FlipTarget target, TensorDataset train, IReadOnlyList<int> bits, long seed, bool quiet, CancellationToken token)
    {
        int samples = parse.GetValue(Samples), probes = parse.GetValue(Probes);
        var batches = SampleBatches.First(train.Images, train.Labels, samples, 500);
        return ProgressView.Run(quiet, "Hessian diagonal", probes, bar => HessianGuidedRanking.Score(target, batches, bits, probes, seed,
            new ProgressRelay<int>(p => { bar.Value = p; bar.Description = $"Hessian diagonal, probe {p}/{probes}"; }), token));
    }
}
