using System.Diagnostics;
using FlipGuard.Checkpoints;
using FlipGuard.Data;
using FlipGuard.Faults.Encodings;
using FlipGuard.Faults.Evaluation;
using FlipGuard.Faults.Evaluation.CertifiedSkip;
using FlipGuard.Faults.Targets;

namespace FlipGuard.Bench;

/// <summary>
/// Flips per second, per bit class (mantissa 0–22, exponent 23–29, bit 30, sign), of the flips the dense tail does
/// not take — the convolution and batch-norm layers of a CNN — with the naive path and the sweep's evaluator side by
/// side in one run: seeded flips of those layers' parameters, a naive subset per class checked count for count, and
/// where the fast path's time and samples go (certified by the bound, decided by the incremental pass, torch).
/// </summary>
internal static class ConvolutionSweepSpeed
{
    private static readonly (string Name, int From, int To)[] Classes = [("mantissa 0-22", 0, 22), ("exponent 23-29", 23, 29), ("bit 30", 30, 30), ("sign 31", 31, 31)];

    public static int Run(string[] args)
    {
        var a = new BenchArgs(args);
        string checkpoint = a.Get("checkpoint", "runs/lenet5-mnist-s0.fgc");
        int flipsPerClass = a.GetInt("flips", 400);
        int naivePerClass = a.GetInt("naive-flips", 40);
        int testLimit = a.GetInt("test-limit", 0);
        int seed = a.GetInt("seed", 1);
        int threads = a.GetInt("threads", 0);
        if (threads > 0) TorchSharp.torch.set_num_threads(threads);
        var (meta, model) = CheckpointFile.Load(checkpoint);
        using var data = LoadedDataset.Load(meta.Dataset, null, new Normalization(meta.NormalizationMean, meta.NormalizationStd), testLimit > 0 ? testLimit : null);
        var target = FlipTarget.Create(model, WeightEncodings.Float32);
        var clock = Stopwatch.StartNew();
        var (fast, name) = FlipEvaluatorFactory.Create(target, data.Test.Images, data.Test.Labels, naive: false);
        double setup = clock.Elapsed.TotalSeconds;
        var skip = fast as CertifiedSkipEvaluator ?? (fast as TailRoutedEvaluator)?.Rest as CertifiedSkipEvaluator;
        var routed = fast as TailRoutedEvaluator;
        var tensors = Enumerable.Range(0, target.Tensors.Count).Where(t => routed is null || !routed.InTail(t)).ToArray();
        long parameters = tensors.Sum(t => target.Tensors[t].Length);
        var values = target.Tensors.Select(t => t.ReadValues()).ToArray();
        Console.WriteLine($"{checkpoint}: {meta.Model}, {tensors.Length} tensors outside the dense tail ({parameters:N0} parameters), " +
                          $"{data.Test.Count:N0} evaluation samples, {Environment.ProcessorCount} cores, {TorchSharp.torch.get_num_threads()} torch threads; evaluator {name} (setup {setup:F1}s" +
                          (skip is null ? ")" : $", small torch batches: {(skip.SmallBatches.Count == 0 ? "none" : string.Join("/", skip.SmallBatches))} rows)"));
        using var naive = new NaiveFlipEvaluator(target, data.Test.Images, data.Test.Labels);
        var random = new Random(seed);
        int mismatches = 0;
        double fastSeconds = 0, naiveSeconds = 0;
        foreach (var (className, from, to) in Classes)
        {
            var changes = new ParameterChange[flipsPerClass];
            for (int k = 0; k < changes.Length; k++)
            {
                long at = random.NextInt64(parameters);
                int t = 0;
                while (at >= target.Tensors[tensors[t]].Length) at -= target.Tensors[tensors[t++]].Length;
                int bit = random.Next(from, to + 1);
                changes[k] = new ParameterChange(tensors[t], at, Float32Bits.Flip(values[tensors[t]][at], bit));
            }
            var before = (skip?.RecomputedSamples ?? 0, skip?.IncrementalSamples ?? 0, skip?.Time ?? default);
            var counts = new long[changes.Length];
            clock.Restart();
            fast.Evaluate(changes, counts);
            double seconds = clock.Elapsed.TotalSeconds;
            var common = changes.Where((_, k) => k % Math.Max(1, changes.Length / naivePerClass) == 0).Take(naivePerClass).ToArray();
            var naiveCounts = new long[common.Length];
            clock.Restart();
            naive.Evaluate(common, naiveCounts);
            double naiveRate = common.Length / clock.Elapsed.TotalSeconds;
            int bad = common.Select((c, k) => counts[Array.IndexOf(changes, c)] != naiveCounts[k]).Count(b => b);
            mismatches += bad;
            double rate = changes.Length / seconds;
            fastSeconds += seconds;
            naiveSeconds += changes.Length / naiveRate;
            Console.WriteLine($"{className,-15} fast {rate,9:N1} flips/s  naive {naiveRate,6:N1} flips/s  ×{rate / naiveRate,7:N1}  ({bad} mismatches on {common.Length})");
            if (skip is not null)
            {
                double total = (double)changes.Length * data.Test.Count;
                long torch = skip.RecomputedSamples - before.Item1, incremental = skip.IncrementalSamples - before.Item2;
                var (inc, tor) = (skip.Time.Incremental - before.Item3.Incremental, skip.Time.Torch - before.Item3.Torch);
                Console.WriteLine($"{"",15} samples: {100 * (1 - (torch + incremental) / total),5:F1}% certified by the bound, {100 * incremental / total,5:F1}% decided incrementally, " +
                                  $"{100 * torch / total,5:F1}% by torch; time: incremental {inc.TotalSeconds:F1}s, torch {tor.TotalSeconds:F1}s, rest {seconds - inc.TotalSeconds - tor.TotalSeconds:F1}s");
            }
        }
        Console.WriteLine($"all classes (equal flips each): ×{naiveSeconds / fastSeconds:N1}; peak memory {Process.GetCurrentProcess().PeakWorkingSet64 / (1 << 20):N0} MB; {mismatches} mismatches");
        fast.Dispose();
        return mismatches == 0 ? 0 : 1;
    }
}
