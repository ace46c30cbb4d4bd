using System.Diagnostics;
using FlipGuard.Core;
using FlipGuard.Data;
using FlipGuard.Models;
using FlipGuard.Training;
using FlipGuard.Training.Regularizers;

namespace FlipGuard.Bench;

/// <summary>
/// Runs Hessian-regularised training steps and samples the process's resident memory every 100 steps: a per-step
/// leak of native tensors (≥ 1 MB per step for mlp's first layer) shows up as steady growth. The allocators warm up
/// over the first ~1,000 steps, so growth is measured over the <c>--steps</c> steps that follow a warm-up of the same length.
/// Exits 1 if memory grows by more than the allowed amount over the measured steps.
/// </summary>
internal static class LeakCheck
{
    public static int Run(string[] args)
    {
        var a = new BenchArgs(args);
        int steps = a.GetInt("steps", 1000);
        string model = a.Get("model", "mlp");
        string reg = a.Get("reg", "trace");
        double allowedMb = double.Parse(a.Get("allowed-mb", "25"));
        using var data = LoadedDataset.Load("mnist", null);
        var tensors = TrainingData.From(data);
        var spec = new ModelSpec(model, data.Shape.Channels, data.Shape.Height, data.Shape.Width, data.Classes);
        int perEpoch = (data.TrainCount + 127) / 128;
        int epochs = (2 * steps + perEpoch - 1) / perEpoch;
        var config = new TrainingConfig { Model = model, Epochs = epochs, Regularizer = reg, Seed = 0 }.With(HessianPenalty.Lambda, 1e-3);
        var samples = new List<(int Step, double Mb)>();
        var progress = new ProgressRelay<TrainingProgress>(p =>
        {
            int step = (p.Epoch - 1) * p.Steps + p.Step;
            if (p.Completed is null && step % 100 == 0)
            {
                using var proc = Process.GetCurrentProcess();
                samples.Add((step, proc.WorkingSet64 / 1048576.0));
            }
        });
        var (trained, _) = Trainer.Train(spec, config, tensors, progress: progress);
        trained.Dispose();
        Console.WriteLine($"{model}, --reg {reg}: resident memory (MB) every 100 steps over {epochs * perEpoch} steps");
        Console.WriteLine(string.Join(" ", samples.Select(s => $"{s.Step}:{s.Mb:F0}")));
        var start = samples.First(s => s.Step >= steps);
        double last = samples[^1].Mb;
        Console.WriteLine($"growth over steps {start.Step}–{samples[^1].Step} (after a {start.Step}-step warm-up): {last - start.Mb:F1} MB (allowed {allowedMb} MB)");
        double baseline = start.Mb;
        return last - baseline <= allowedMb ? 0 : 1;
    }
}
