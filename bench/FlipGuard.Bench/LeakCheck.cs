using System.Diagnostics;
using FlipGuard.Data;
using FlipGuard.Models;
using FlipGuard.Training;

namespace FlipGuard.Bench;

/// <summary>
/// Runs many Hessian-regularised training steps and samples the process's resident memory: a per-step leak of
/// native tensors shows up as steady growth. Exits 1 if memory grows by more than the allowed amount after warm-up.
/// </summary>
internal static class LeakCheck
{
    public static int Run(string[] args)
    {
        var a = new BenchArgs(args);
        int steps = a.GetInt("steps", 1000);
        string model = a.Get("model", "mlp");
        string reg = a.Get("reg", "trace");
        double allowedMb = double.Parse(a.Get("allowed-mb", "50"));
        using var data = LoadedDataset.Load("mnist", null);
        var tensors = TrainingData.From(data);
        var spec = new ModelSpec(model, data.Shape.Channels, data.Shape.Height, data.Shape.Width, data.Classes);
        int perEpoch = (data.TrainCount + 127) / 128;
        int epochs = (steps + perEpoch - 1) / perEpoch;
        var config = new TrainingConfig { Model = model, Epochs = epochs, Regularizer = reg, Lambda = 1e-3, Seed = 0 };
        var samples = new List<(int Step, double Mb)>();
        var progress = new Progress(p =>
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
        double baseline = samples.First(s => s.Step >= 200).Mb, last = samples[^1].Mb;
        Console.WriteLine($"growth after step 200: {last - baseline:F1} MB (allowed {allowedMb} MB)");
        return last - baseline <= allowedMb ? 0 : 1;
    }

    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
