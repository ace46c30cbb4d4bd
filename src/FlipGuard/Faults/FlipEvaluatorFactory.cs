using static TorchSharp.torch;

namespace FlipGuard.Faults;

/// <summary>
/// The one place that decides which <see cref="IFlipEvaluator"/> a sweep uses: the fast exact evaluator where the
/// architecture has one (<see cref="LinearChainEvaluator"/> for fully connected ReLU networks, otherwise
/// <see cref="CertifiedSkipEvaluator"/> for linear/convolution/batch-norm networks), the naive oracle for anything
/// else or on request.
/// </summary>
public static class FlipEvaluatorFactory
{
    /// <summary>
    /// An evaluator for <paramref name="target"/> on the given evaluation set, and its name for the record
    /// (<c>naive</c>, <c>fast-linear</c> or <c>fast-certified-skip</c>). <paramref name="naive"/> forces the oracle.
    /// </summary>
    public static (IFlipEvaluator Evaluator, string Name) Create(FlipTarget target, Tensor images, Tensor labels, bool naive, int chunk = NaiveFlipEvaluator.DefaultChunk)
    {
        if (!naive)
        {
            var fast = LinearChainEvaluator.TryCreate(target.Model, target.Tensors.Select(t => t.Name).ToList(),
                target.Tensors.Select(t => (Tensor)t.Parameter).ToList(), images, labels, chunk);
            if (fast is not null) return (fast, "fast-linear");
            var skip = CertifiedSkipEvaluator.TryCreate(target.Model, target.Tensors.Select(t => t.Name).ToList(),
                target.Tensors.Select(t => (Tensor)t.Parameter).ToList(), images, labels, chunk);
            if (skip is not null) return (skip, "fast-certified-skip");
        }
        return (new NaiveFlipEvaluator(target, images, labels, chunk), "naive");
    }
}
