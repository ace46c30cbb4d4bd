using System.Diagnostics;
using FlipGuard.Checkpoints;
using FlipGuard.Core;
using FlipGuard.Data;
using FlipGuard.Faults.Evaluation;
using FlipGuard.Faults.Evaluation.FullyConnected;
using FlipGuard.Faults.Targets;
using static TorchSharp.torch;

namespace FlipGuard.Bench;

/// <summary>
/// Flips per second of the naive path (copy, flip, full forward, count, restore) and of the fast evaluator, measured in
/// one run on the same checkpoint and evaluation set, with the fast counts checked against the naive ones where both ran.
/// </summary>
internal static class SweepSpeed
{
    public static int Run(string[] args)
    {
        var a = new BenchArgs(args);
        string checkpoint = a.Get("checkpoint", "runs/mlp-mnist-s0.fgc");
        string dataset = a.Get("dataset", "");
        int naiveFlips = a.GetInt("naive-flips", 200);
        int fastFlips = a.GetInt("fast-flips", 200_000);
        int bits = a.GetInt("bits", 32);
        var (meta, model) = CheckpointFile.Load(checkpoint);
        using var data = LoadedDataset.Load(dataset.Length > 0 ? dataset : meta.Dataset, null,
            new Normalization(meta.NormalizationMean, meta.NormalizationStd));
        var named = model.named_parameters().ToList();
        var tensors = named.Select(p => (Tensor)p.parameter).ToList();
        var values = tensors.Select(t => t.detach().clone().data<float>().ToArray()).ToList();
        long total = values.Sum(v => (long)v.Length) * bits;
        Console.WriteLine($"{checkpoint}: {meta.Model}, {values.Sum(v => (long)v.Length):N0} parameters, {data.Test.Count:N0} evaluation samples, {Environment.ProcessorCount} cores");

        var clock = Stopwatch.StartNew();
        using var fast = LinearChainEvaluator.TryCreate(model, named.Select(p => p.name).ToList(), tensors, data.Test.Images, data.Test.Labels)
            ?? throw new FlipGuardException("the fast evaluator supports fully connected ReLU models (mlp) so far");
        double setup = clock.Elapsed.TotalSeconds;

        var rng = new SplitMix64(7);
        var sample = Enumerable.Range(0, Math.Max(naiveFlips, fastFlips)).Select(_ =>
        {
            int t = PickTensor(values, rng);
            long i = rng.NextInt(values[t].Length);
            int bit = 32 - bits + rng.NextInt(bits);
            return new ParameterChange(t, i, BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(values[t][i]) ^ (1 << bit)));
        }).ToArray();

        var naive = new TorchSubsetEvaluation(model, tensors, data.Test.Images, data.Test.Labels, 1000);
        clock.Restart();
        var naiveCounts = sample.Take(naiveFlips).Select(c => naive.CountCorrect(c, null)).ToArray();
        double naiveRate = naiveFlips / clock.Elapsed.TotalSeconds;

        var fastCounts = new long[fastFlips];
        clock.Restart();
        for (int start = 0; start < fastFlips; start += 4096)
        {
            int len = Math.Min(4096, fastFlips - start);
            fast.Evaluate(sample.AsSpan(start, len), fastCounts.AsSpan(start, len));
        }
        double fastSeconds = clock.Elapsed.TotalSeconds;
        double fastRate = fastFlips / fastSeconds;
        int mismatches = naiveCounts.Where((c, k) => c != fastCounts[k]).Count();
        var (fallbackFlips, fallbackSamples, certified) = fast.Statistics;
        Console.WriteLine($"naive: {naiveFlips:N0} flips, {naiveRate:N1} flips/s");
        Console.WriteLine($"fast:  {fastFlips:N0} flips, {fastRate:N0} flips/s (setup {setup:F1}s); speed-up ×{fastRate / naiveRate:N0}");
        Console.WriteLine($"fast vs naive on the {naiveFlips} common flips: {mismatches} mismatches");
        Console.WriteLine($"fallback to torch: {fallbackFlips:N0} flips, {fallbackSamples:N0} sample evaluations; {certified:N0} samples recomputed incrementally");
        var (incremental, full, batched) = fast.Timing;
        Console.WriteLine($"fast time: incremental {incremental.TotalSeconds:F1}s, whole-set torch {full.TotalSeconds:F1}s, batched torch {batched.TotalSeconds:F1}s ({fast.BatchedFallbackFlips:N0} flips)");
        Console.WriteLine($"projected full sweep of {total:N0} flips ({bits} bits): {total / fastRate / 60:N1} min fast, {total / naiveRate / 3600:N1} h naive");
        if (a.GetInt("per-bit", 0) is int perBit and > 0) PerBit(fast, values, perBit, a.GetInt("per-bit-from", 0));
        return mismatches == 0 ? 0 : 1;
    }

    /// <summary>Where the fast path spends its time, bit position by bit position (perBit flips each).</summary>
    private static void PerBit(LinearChainEvaluator fast, List<float[]> values, int perBit, int perBitFrom)
    {
        var rng = new SplitMix64(11);
        var counts = new long[perBit];
        Console.WriteLine("bit  flips/s  incremental/flip  fallback-flips  torch-samples  incremental-s  whole-set-s  batched-s");
        for (int bit = 31; bit >= perBitFrom; bit--)
        {
            var changes = Enumerable.Range(0, perBit).Select(_ =>
            {
                int t = PickTensor(values, rng);
                long i = rng.NextInt(values[t].Length);
                return new ParameterChange(t, i, BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(values[t][i]) ^ (1 << bit)));
            }).ToArray();
            var (f0, s0, c0) = fast.Statistics;
            var (i0, w0, b0) = fast.Timing;
            var clock = Stopwatch.StartNew();
            fast.Evaluate(changes, counts);
            double seconds = clock.Elapsed.TotalSeconds;
            var (f1, s1, c1) = fast.Statistics;
            var (i1, w1, b1) = fast.Timing;
            Console.WriteLine($"{bit,3}  {perBit / seconds,7:N0}  {(c1 - c0) / (double)perBit,16:N1}  {f1 - f0,14:N0}  {s1 - s0,13:N0}  " +
                              $"{(i1 - i0).TotalSeconds,13:F3}  {(w1 - w0).TotalSeconds,11:F3}  {(b1 - b0).TotalSeconds,9:F3}");
        }
    }

    private static int PickTensor(List<float[]> values, SplitMix64 rng)
    {
        long total = values.Sum(v => (long)v.Length), r = (long)(rng.NextUInt64() % (ulong)total);
        for (int t = 0; t < values.Count; t++)
        {
            if (r < values[t].Length) return t;
            r -= values[t].Length;
        }
        return values.Count - 1;
    }
}
