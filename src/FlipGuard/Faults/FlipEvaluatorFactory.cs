using static TorchSharp.torch;

namespace FlipGuard.Faults;

/// <summary>
/// The one place that decides which <see cref="IFlipEvaluator"/> a sweep uses, so the CLI and benchmarks need
/// not change when the fast exact evaluator lands.
/// </summary>
public static class FlipEvaluatorFactory
{
    /// <summary>
    /// An evaluator for <paramref name="target"/> on the given evaluation set. <paramref name="naive"/> asks for the
    /// oracle; otherwise the fast evaluator is meant — until it exists, that is the oracle too.
    /// </summary>
    public static IFlipEvaluator Create(FlipTarget target, Tensor images, Tensor labels, bool naive, int chunk = NaiveFlipEvaluator.DefaultChunk)
    {
        if (naive) return new NaiveFlipEvaluator(target, images, labels, chunk);
        // The fast exact evaluator goes here (it must match the oracle count for count).
        return new NaiveFlipEvaluator(target, images, labels, chunk);
    }

    /// <summary>The name of the evaluator <see cref="Create"/> returns, recorded in results ("naive" until the fast one exists).</summary>
    public static string Name(bool naive) => naive ? "naive" : "naive";
}
