using FlipGuard.Faults.Evaluation.CertifiedSkip;
using FlipGuard.Faults.Evaluation.FullyConnected;
using FlipGuard.Faults.Targets;
using static TorchSharp.torch;

namespace FlipGuard.Faults.Evaluation;

/// <summary>
/// The one place that decides which <see cref="IFlipEvaluator"/> a sweep uses: the fast exact evaluator where the
/// architecture has one (<see cref="LinearChainEvaluator"/> for fully connected ReLU networks — recognised from the
/// layers a network declares it runs, whatever its class: the zoo's mlp, a described or imported one; for a network
/// that only ends in such a chain (LeNet-5, VGG-small: convolutions, then dense layers) the chain's flips go to it and
/// the others to <see cref="CertifiedSkipEvaluator"/> through a <see cref="TailRoutedEvaluator"/>; otherwise
/// <see cref="CertifiedSkipEvaluator"/> for linear/convolution/batch-norm networks), the naive oracle for anything
/// else or on request.
/// </summary>
public static class FlipEvaluatorFactory
{
    /// <summary>
    /// An evaluator for <paramref name="target"/> on the given evaluation set, and its name for the record
    /// (<c>naive</c>, <c>fast-linear</c>, <c>fast-linear-tail</c> with <c>+certified-skip</c> or <c>+naive</c> for the
    /// flips before the tail, or <c>fast-certified-skip</c>). <paramref name="naive"/> forces the oracle.
    /// </summary>
    public static (IFlipEvaluator Evaluator, string Name) Create(FlipTarget target, Tensor images, Tensor labels, bool naive, int chunk = NaiveFlipEvaluator.DefaultChunk)
    {
        int samples = (int)images.shape[0];
        if (!naive && FastPathBytes(target.Model, samples) <= MemoryBudgetBytes)
        {
            var names = target.Tensors.Select(t => t.Name).ToList();
            var tensors = target.Tensors.Select(t => (Tensor)t.Parameter).ToList();
            if (ReluChainStructure.Recognise(target.Model) is { } chain)
            {
                var modules = target.Model.named_modules().ToDictionary(m => m.name, m => m.module);
                var inChain = names.Select(n => n.LastIndexOf('.') is int dot and >= 0 && modules.TryGetValue(n[..dot], out var owner)
                    && chain.Linears.Any(l => ReferenceEquals(l, owner))).ToArray();
                if (inChain.All(c => c))
                {
                    var fast = LinearChainEvaluator.TryCreate(target.Model, names, tensors, images, labels, chunk);
                    if (fast is not null) return (fast, "fast-linear");
                }
                else if (inChain.Any(c => c))
                {
                    var tailIndex = new int[names.Count];
                    int local = 0;
                    for (int t = 0; t < names.Count; t++) tailIndex[t] = inChain[t] ? local++ : -1;
                    var tail = LinearChainEvaluator.TryCreate(target.Model, names.Where((_, t) => inChain[t]).ToList(),
                        tensors.Where((_, t) => inChain[t]).ToList(), images, labels, chunk);
                    if (tail is not null)
                    {
                        var (rest, restName) = CertifiedSkipEvaluator.TryCreate(target.Model, names, tensors, images, labels, chunk, IncrementalBudget(target.Model, samples)) is { } skip
                            ? ((IFlipEvaluator)skip, SkipName(skip)) : (new NaiveFlipEvaluator(target, images, labels, chunk), "naive");
                        return (new TailRoutedEvaluator(tail, tailIndex, rest), "fast-linear-tail+" + restName);
                    }
                }
            }
            var certified = CertifiedSkipEvaluator.TryCreate(target.Model, names, tensors, images, labels, chunk, IncrementalBudget(target.Model, samples));
            if (certified is not null) return (certified, "fast-" + SkipName(certified));
        }
        return (new NaiveFlipEvaluator(target, images, labels, chunk), "naive");
    }

    private static string SkipName(CertifiedSkipEvaluator skip) => skip.Incremental ? "certified-skip+incremental" : "certified-skip";

    /// <summary>
    /// Most memory the incremental pass's activation cache may take: what is left of <see cref="MemoryBudgetBytes"/>,
    /// at most 768 MB — its setup passes take about twice the cache again (vgg-small: 1.1 GB of cache for 1,000 samples
    /// peaked at 4.0 GB in all, docs/benchmarks.md; lenet5: 620 MB for 10,000 samples, 1.9 GB in all).
    /// </summary>
    private static long IncrementalBudget(nn.Module<Tensor, Tensor> model, long samples) => Math.Clamp(MemoryBudgetBytes - FastPathBytes(model, samples), 0, 768L << 20);

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
        var chain = ReluChainStructure.Recognise(model);
        foreach (var (_, module) in model.named_modules())
        {
            bool inChain = chain is not null && chain.Linears.Any(l => ReferenceEquals(l, module));
            perSample += module switch
            {
                // A tail's linear layers are cached twice: by the chain and by the certified-skip evaluator of the rest.
                TorchSharp.Modules.Linear l when inChain => 4 * l.in_features + 36 * l.out_features + 8 * (l.in_features + 1) + (chain!.IsWholeNetwork ? 0 : 12 * l.in_features),
                TorchSharp.Modules.Linear l => 12 * l.in_features,
                TorchSharp.Modules.Conv2d c => 12 * c.in_channels * c.kernel_size[0] * c.kernel_size[1],
                TorchSharp.Modules.BatchNorm2d b => 12 * b.num_features,
                _ => 0,
            };
        }
        return perSample * samples;
    }
}
