using System.Diagnostics;
using FlipGuard.Checkpoints;
using FlipGuard.Data;
using FlipGuard.Defenses;
using FlipGuard.Defenses.Ecc;
using FlipGuard.Faults.Encodings;
using FlipGuard.Faults.Targets;
using FlipGuard.Models;
using static TorchSharp.torch;

namespace FlipGuard.Bench;

/// <summary>
/// Cost of each defense on real checkpoints: extra storage (bits per weight) and the time of one full check
/// (<see cref="IDefense.Repair"/> on the clean model) relative to one forward pass of a 128-sample batch and of the
/// whole test set. Medians of repeated runs; prints Markdown.
/// </summary>
internal static class DefenseOverheadBench
{
    public static int Run(string[] args)
    {
        var a = new BenchArgs(args);
        var checkpoints = a.GetList("checkpoints", "runs/mlp-mnist-s0.fgc");
        int repeats = a.GetInt("repeats", 15);
        var encoding = WeightEncodings.FromInt8Flag(a.Get("int8", "false") == "true");
        Console.WriteLine($"| checkpoint | defense | extra bits per weight | extra storage | check (ms) | forward, 128 samples (ms) | check / forward 128 | forward, test set (ms) | check / forward test set |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (string path in checkpoints)
        {
            var (meta, model) = CheckpointFile.Load(path);
            using var data = LoadedDataset.Load(meta.Dataset, null, new Normalization(meta.NormalizationMean, meta.NormalizationStd));
            var target = FlipTarget.Create(model, encoding);
            var images = data.Test.Images;
            double forwardAll = Median(repeats, () => Evaluator.CountCorrect(model, images, data.Test.Labels));
            using var batch = images.narrow(0, 0, 128);
            double forward128 = Median(repeats, () => Evaluator.CountCorrect(model, batch, data.Test.Labels.narrow(0, 0, 128)));
            var defenses = new IDefense[] { new RadarChecksum(new RadarOptions()), new RadarChecksum(new RadarOptions(GroupSize: 16)), new RangeGuard(), new EccProtection() };
            foreach (var d in defenses)
            {
                d.Protect(target);
                double check = Median(repeats, () => d.Repair(target));
                var o = d.Overhead;
                Console.WriteLine($"| {Path.GetFileNameWithoutExtension(path)} | {d.Name} | {o.ExtraBitsPerWeight:F4} | {o.ExtraFraction:P2} | {check * 1e3:F2} | {forward128 * 1e3:F2} | {check / forward128:F1}× | {forwardAll * 1e3:F2} | {check / forwardAll:F2}× |");
            }
            model.Dispose();
        }
        Console.WriteLine($"\n{Environment.ProcessorCount} cores, torch threads {get_num_threads()}, {encoding.Name} weights, median of {repeats}.");
        return 0;
    }

    private static double Median(int repeats, Action work)
    {
        work();
        var times = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            work();
            times[i] = clock.Elapsed.TotalSeconds;
        }
        Array.Sort(times);
        return times[repeats / 2];
    }

    private static double Median<T>(int repeats, Func<T> work) => Median(repeats, () => { work(); });
}
