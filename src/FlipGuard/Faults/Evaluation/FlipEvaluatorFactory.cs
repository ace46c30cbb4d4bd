using FlipGuard.Faults.Evaluation.CertifiedSkip;
using FlipGuard.Faults.Evaluation.FullyConnected;
using FlipGuard.Faults.Targets;
using static TorchSharp.torch;

namespace FlipGuard.Faults.Evaluation;

/// <summary>
/// The one place that decides which <see cref="IFlipEvaluator"/> a sweep uses: the fast exact evaluator where the
/// architecture has one (<see cref="LinearChainEvaluator"/> for fully connected ReLU networks — recognised from the
/// layers a network declares it runs, whatever its class: the zoo's mlp, a described or imported one — otherwise
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
        int samples = (int)images.shape[0];
        if (!naive && FastPathBytes(target.Model, samples) <= MemoryBudgetBytes)
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

    /// <summary>
    /// Most memory the fast evaluators may hold: their per-sample caches grow with the evaluation set, the naive path's
    /// memory does not (it evaluates in chunks), so above this the sweep takes the naive path and peak memory stays
    /// under 4 GB for any evaluation-set size.
    /// </summary>
    public const long MemoryBudgetBytes = 3L << 29; // 1.5 GB: resnet20 peaks at 3.3 GB with 20,000 samples (docs/benchmarks.md)

    /// <summary>
    /// Estimated bytes of the fast evaluator's per-sample caches for <paramref name="model"/> on <paramref name="samples"/>
    /// samples: for a fully connected chain its layer inputs, outputs, magnitude sums, saturation bounds and one sorted
    /// list per input feature; otherwise one captured magnitude and one sorted list per input feature of every
    /// linear, convolution and batch-norm layer.
    /// </summary>
    public static long FastPathBytes(nn.Module<Tensor, Tensor> model, long samples)
    {
        long perSample = 0;
        bool chain = ReluChainStructure.Recognise(model) is not null;
        foreach (var (_, module) in model.named_modules())
        {
            perSample += module switch
            {
                TorchSharp.Modules.Linear l when chain => 4 * l.in_features + 36 * l.out_features + 8 * (l.in_features + 1),
                TorchSharp.Modules.Linear l => 12 * l.in_features,
                TorchSharp.Modules.Conv2d c => 12 * c.in_channels * c.kernel_size[0] * c.kernel_size[1],
                TorchSharp.Modules.BatchNorm2d b => 12 * b.num_features,
                _ => 0,
            };
        }
        return perSample * samples;
    }
}
