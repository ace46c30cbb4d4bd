using FlipGuard.Data;
using FlipGuard.Models;
using FlipGuard.Training;
using FlipGuard.Training.Regularizers;

namespace FlipGuard.Bench;

/// <summary>
/// Step time of each regulariser mode divided by plain training's, measured side by side: the modes are
/// interleaved in rounds so machine noise hits them alike, and the median over rounds is reported.
/// </summary>
internal static class RegularizerOverhead
{
    private static readonly (string Name, TrainingConfig Config)[] Modes =
    [
        ("plain", new TrainingConfig()),
        ("trace, all layers", Trace("all", 1)),
        ("trace, all layers, every 4 steps", Trace("all", 4)),
        ("trace, last layer", Trace("last:1", 1)),
        ("trace, 1 sampled layer", Trace("sample:1", 1)),
        ("trace, 1 sampled layer, every 4 steps", Trace("sample:1", 4)),
        ("top-eig k=1, all layers", Trace("all", 1).With(TopEigenvalueRegularizer.TopP, 1) with { Regularizer = "top-eig" }),
        ("SAM", new TrainingConfig { Regularizer = "sam" }.With(SharpnessAwareRegularizer.Rho, 0.05)),
    ];

    private static TrainingConfig Trace(string layers, int every) => new TrainingConfig { Regularizer = "trace" }
        .With(HessianPenalty.Lambda, 1e-3).With(HessianPenalty.Layers, layers).With(HessianPenalty.Every, every);

    public static int Run(string[] args)
    {
        var a = new BenchArgs(args);
        int rounds = a.GetInt("rounds", 5);
        int limit = a.GetInt("train-limit", 4000);
        string dataset = a.Get("dataset", "mnist");
        using var data = LoadedDataset.Load(dataset, null);
        var tensors = TrainingData.From(data);
        Console.WriteLine($"Step time relative to plain training (batch 128, {limit} training samples per epoch, {dataset}, median of {rounds} interleaved rounds, {Environment.ProcessorCount} cores)\n");
        foreach (string model in a.GetList("models", "mlp,lenet5"))
        {
            var spec = new ModelSpec(model, data.Shape.Channels, data.Shape.Height, data.Shape.Width, data.Classes);
            var times = Modes.ToDictionary(m => m.Name, _ => new List<double>());
            for (int round = -1; round < rounds; round++) // round -1 warms up (JIT, allocator) and is not recorded
                foreach (var (name, config) in Modes)
                {
                    var run = config with { Model = model, Dataset = dataset, Epochs = 1, TrainLimit = limit, Seed = Math.Max(round, 0) };
                    var (trained, result) = Trainer.Train(spec, run, tensors);
                    trained.Dispose();
                    if (round >= 0) times[name].Add(result.Epochs[0].StepMilliseconds);
                }
            double plain = Median(times["plain"]);
            Console.WriteLine($"### {model}\n\n| mode | ms/step | × plain |\n|---|---:|---:|");
            foreach (var (name, _) in Modes)
                Console.WriteLine($"| {name} | {Median(times[name]):F2} | {Median(times[name]) / plain:F2} |");
            Console.WriteLine();
        }
        return 0;
    }

    private static double Median(List<double> xs)
    {
        var s = xs.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }
}
