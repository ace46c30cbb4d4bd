using FlipGuard.Sweeps;
using FlipGuard.Faults.Evaluation;
using FlipGuard.Faults.Targets;
using FlipGuard.Models.Zoo;
using static TorchSharp.torch;

namespace FlipGuard.Bench;

/// <summary>
/// Peak resident memory (VmHWM) of a sweep evaluator for one zoo model on an evaluation set of a given size: builds the
/// evaluator the sweep would choose (<see cref="FlipEvaluatorFactory"/>), evaluates a seeded sample of flips, and prints
/// the process's high-water mark. Images are seeded noise of the model's input shape (memory does not depend on pixel
/// values); run once per model so each figure is a fresh process's peak.
/// </summary>
internal static class SweepMemory
{
    public static int Run(string[] args)
    {
        var a = new BenchArgs(args);
        string name = a.Get("model", "mlp");
        int samples = a.GetInt("samples", 10_000);
        int flips = a.GetInt("flips", 2_000);
        var (c, h, w) = name is "mlp" or "lenet5" ? (1, 28, 28) : (3, 32, 32);
        using var model = ModelZoo.Create(name, c, h, w, 10, seed: 3);
        var generator = new Generator(5);
        using var images = randn(new long[] { samples, c, h, w }, generator: generator);
        using var labels = randint(0, 10, new long[] { samples }, generator: generator);
        var target = FlipTarget.Create(model);
        var sites = FlipSites.Create(target, BitSelection.Parse("all"), ParameterSelection.Parse($"sample:{Math.Max(1, flips / 32)}"), 9);
        var changes = new ParameterChange[Math.Min(flips, sites.Count)];
        for (int k = 0; k < changes.Length; k++) changes[k] = sites.Change(k * sites.Count / changes.Length);
        var (evaluator, evaluatorName) = FlipEvaluatorFactory.Create(target, images, labels, naive: false);
        using (evaluator)
        {
            var counts = new long[changes.Length];
            for (int start = 0; start < changes.Length; start += 4096)
            {
                int len = Math.Min(4096, changes.Length - start);
                evaluator.Evaluate(changes.AsSpan(start, len), counts.AsSpan(start, len));
            }
        }
        Console.WriteLine($"{name}: {evaluatorName}, {samples:N0} samples, {changes.Length:N0} flips, peak RSS {PeakMegabytes():N0} MB " +
                          $"(fast-path cache estimate {FlipEvaluatorFactory.FastPathBytes(model, samples) / 1048576.0:N0} MB, budget {FlipEvaluatorFactory.MemoryBudgetBytes / 1048576:N0} MB)");
        return 0;
    }

    private static double PeakMegabytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
        return double.NaN;
    }
}
