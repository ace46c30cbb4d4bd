using FlipGuard.Faults.Encodings;
using FlipGuard.Sweeps;
using System.Diagnostics;
using FlipGuard.Checkpoints;
using FlipGuard.Data;
using FlipGuard.Faults.Evaluation;
using FlipGuard.Faults.Evaluation.CertifiedSkip;
using FlipGuard.Faults.Targets;

namespace FlipGuard.Bench;

/// <summary>
/// Flips per second of the naive path and of the evaluator the sweep would choose (<see cref="FlipEvaluatorFactory"/>),
/// for any zoo model, on a seeded sample of flip sites (e.g. exponent bits of a parameter sample): the benchmark for
/// convolutional models, where a full sweep is out of reach of the naive path. Fast counts are checked against the
/// naive ones on the common flips.
/// </summary>
internal static class SampledSweepSpeed
{
    public static int Run(string[] args)
    {
        var a = new BenchArgs(args);
        string checkpoint = a.Get("checkpoint", "runs/lenet5-mnist-s0.fgc");
        string bitsText = a.Get("bits", "exponent");
        string paramsText = a.Get("params", "sample:2000");
        int naiveFlips = a.GetInt("naive-flips", 100);
        int testLimit = a.GetInt("test-limit", 0);
        var encoding = WeightEncodings.FromInt8Flag(a.GetInt("int8", 0) == 1);
        var (meta, model) = CheckpointFile.Load(checkpoint);
        using var data = LoadedDataset.Load(meta.Dataset, null, new Normalization(meta.NormalizationMean, meta.NormalizationStd),
            testLimit > 0 ? testLimit : null);
        var target = FlipTarget.Create(model, encoding);
        var sites = FlipSites.Create(target, BitSelection.Parse(bitsText, encoding), ParameterSelection.Parse(paramsText), 5);
        Console.WriteLine($"{checkpoint}: {meta.Model}{(encoding == WeightEncodings.Float32 ? "" : " " + encoding.Name)}, {sites.Count:N0} flips (bits {bitsText}, params {paramsText}), " +
                          $"{data.Test.Count:N0} evaluation samples, {Environment.ProcessorCount} cores");
        var changes = new ParameterChange[sites.Count];
        for (long k = 0; k < sites.Count; k++) changes[k] = sites.Change(k);
        // The naive flips are spread over the whole sample (every bit position and layer), not its first entries.
        var common = Enumerable.Range(0, naiveFlips).Select(k => changes[(long)k * changes.Length / naiveFlips]).ToArray();

        var clock = Stopwatch.StartNew();
        var (fast, name) = FlipEvaluatorFactory.Create(target, data.Test.Images, data.Test.Labels, naive: false);
        double setup = clock.Elapsed.TotalSeconds;
        using var naive = new NaiveFlipEvaluator(target, data.Test.Images, data.Test.Labels);
        var naiveCounts = new long[common.Length];
        clock.Restart();
        naive.Evaluate(common, naiveCounts);
        double naiveRate = common.Length / clock.Elapsed.TotalSeconds;

        var fastCounts = new long[changes.Length];
        clock.Restart();
        for (int start = 0; start < changes.Length; start += 4096)
        {
            int len = Math.Min(4096, changes.Length - start);
            fast.Evaluate(changes.AsSpan(start, len), fastCounts.AsSpan(start, len));
        }
        double fastRate = changes.Length / clock.Elapsed.TotalSeconds;
        var fastCommon = new long[common.Length];
        fast.Evaluate(common, fastCommon);
        int mismatches = naiveCounts.Where((c, k) => c != fastCommon[k]).Count();
        using (fast)
        {
            Console.WriteLine($"naive: {common.Length:N0} flips, {naiveRate:N1} flips/s");
            Console.WriteLine($"{name}: {changes.Length:N0} flips, {fastRate:N1} flips/s (setup {setup:F1}s); speed-up ×{fastRate / naiveRate:N1}");
            Console.WriteLine($"{name} vs naive on the {common.Length} common flips: {mismatches} mismatches");
            if (fast is TailRoutedEvaluator routed)
            {
                // The two parts on their own flips, each with a fresh evaluator (no memo from the run above): where the time goes.
                foreach (bool inTail in new[] { true, false })
                {
                    var part = changes.Where(c => routed.InTail(c.Tensor) == inTail).ToArray();
                    if (part.Length == 0) continue;
                    var counts = new long[part.Length];
                    var (fresh, _) = FlipEvaluatorFactory.Create(target, data.Test.Images, data.Test.Labels, naive: false);
                    clock.Restart();
                    for (int start = 0; start < part.Length; start += 4096)
                        fresh.Evaluate(part.AsSpan(start, Math.Min(4096, part.Length - start)), counts.AsSpan(start, Math.Min(4096, part.Length - start)));
                    double rate = part.Length / clock.Elapsed.TotalSeconds;
                    fresh.Dispose();
                    Console.WriteLine($"  {(inTail ? "dense tail" : "before the tail")}: {part.Length:N0} flips ({100.0 * part.Length / changes.Length:F1}%), {rate:N1} flips/s, ×{rate / naiveRate:N1} naive");
                }
                if (routed.Rest is CertifiedSkipEvaluator restSkip)
                    Console.WriteLine($"  samples before the tail: {restSkip.RecomputedSamples:N0} recomputed by torch, {restSkip.IncrementalSamples:N0} decided by the incremental pass");
                if (routed.Tail is FlipGuard.Faults.Evaluation.FullyConnected.LinearChainEvaluator chain)
                    Console.WriteLine($"  dense tail: {chain.Statistics.FallbackFlips:N0} flips with a torch fallback, {chain.Statistics.FallbackSamples:N0} samples to torch");
            }
            if (fast is CertifiedSkipEvaluator skip)
                Console.WriteLine($"samples recomputed by torch: {skip.RecomputedSamples:N0} of {(changes.Length + common.Length) * (long)data.Test.Count:N0} " +
                                  $"({100.0 * skip.RecomputedSamples / ((changes.Length + common.Length) * (double)data.Test.Count):F1}%)");
        }
        return mismatches == 0 ? 0 : 1;
    }
}
