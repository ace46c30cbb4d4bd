using static TorchSharp.torch;

namespace FlipGuard.Faults;

/// <summary>
/// The one place that decides which <see cref="IFlipEvaluator"/> a sweep uses: the fast exact evaluator where the
/// architecture has one (fully connected ReLU networks so far), the naive oracle otherwise or on request.
/// </summary>
public static class FlipEvaluatorFactory
{
    /// <summary>
    /// An evaluator for <paramref name="target"/> on the given evaluation set, and its name for the record
    /// (<c>naive</c> or <c>fast-linear</c>). <paramref name="naive"/> forces the oracle.
    /// </summary>
    public static (IFlipEvaluator Evaluator, string Name) Create(FlipTarget target, Tensor images, Tensor labels, bool naive, int chunk = NaiveFlipEvaluator.DefaultChunk)
    {
        if (!naive)
        {
            var fast = LinearChainEvaluator.TryCreate(target.Model, target.Tensors.Select(t => t.Name).ToList(),
                target.Tensors.Select(t => (Tensor)t.Parameter).ToList(), images, labels, chunk);
            if (fast is not null) return (fast, "fast-linear");
        }
        return (new NaiveFlipEvaluator(target, images, labels, chunk), "naive");
    }
}
