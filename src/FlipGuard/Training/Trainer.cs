using System.Diagnostics;
using FlipGuard.Models;
using FlipGuard.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FlipGuard.Training;

/// <summary>
/// Supervised training with cross-entropy, SGD-with-momentum or Adam, a per-epoch learning-rate schedule and
/// weight decay. Deterministic for a seed on one machine: initial weights and batch order derive from the seed.
/// </summary>
public static class Trainer
{
    /// <summary>
    /// Trains a fresh model (or continues from <paramref name="resume"/>'s latest snapshot) and returns it with its history.
    /// Cancelling stops at the next step; with <paramref name="resume"/> set, finished epochs are kept.
    /// </summary>
    public static (nn.Module<Tensor, Tensor> Model, TrainingResult Result) Train(
        ModelSpec spec, TrainingConfig config, TrainingData data,
        TrainingState? resume = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        TorchRuntime.EnsureInitialized();
        config.Validate();
        var model = spec.Create(config.Seed);
        model.to(data.TrainImages.device);
        using var optimizer = CreateOptimizer(config, model);
        var history = resume?.TryRestore(config, model, optimizer)?.ToList() ?? new List<EpochRecord>();
        int resumedFrom = history.Count;
        long n = config.TrainLimit > 0 ? Math.Min(config.TrainLimit, data.TrainImages.shape[0]) : data.TrainImages.shape[0];
        int steps = (int)((n + config.BatchSize - 1) / config.BatchSize);
        for (int epoch = history.Count + 1; epoch <= config.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            double lr = LearningRateAt(config, epoch);
            foreach (var g in optimizer.ParamGroups) g.LearningRate = lr;
            model.train();
            double lossSum = 0;
            using var order = EpochOrder(n, config.Seed, epoch);
            for (int step = 0; step < steps; step++)
            {
                cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                long start = (long)step * config.BatchSize;
                var idx = order.narrow(0, start, Math.Min(config.BatchSize, n - start));
                var x = data.TrainImages.index_select(0, idx);
                var y = data.TrainLabels.index_select(0, idx);
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(model.forward(x), y);
                loss.backward();
                optimizer.step();
                lossSum += loss.item<float>();
                progress?.Report(new TrainingProgress(epoch, config.Epochs, step + 1, steps, lossSum / (step + 1), null));
            }
            double acc = Evaluator.Accuracy(model, data.TestImages, data.TestLabels);
            var record = new EpochRecord(epoch, lossSum / steps, acc, lr, clock.Elapsed.TotalSeconds);
            history.Add(record);
            resume?.Save(epoch, config, spec, model, optimizer, history);
            progress?.Report(new TrainingProgress(epoch, config.Epochs, steps, steps, record.TrainLoss, record));
        }
        double final = history.Count > 0 && history[^1].Epoch == config.Epochs && resumedFrom < config.Epochs
            ? history[^1].TestAccuracy
            : Evaluator.Accuracy(model, data.TestImages, data.TestLabels);
        return (model, new TrainingResult(config, history, final, data.TestImages.shape[0], resumedFrom));
    }

    /// <summary>The learning rate of a 1-based epoch under the config's schedule.</summary>
    public static double LearningRateAt(TrainingConfig config, int epoch) => config.Schedule switch
    {
        "cosine" => config.LearningRate * 0.5 * (1 + Math.Cos(Math.PI * (epoch - 1) / config.Epochs)),
        "step" => config.LearningRate * (epoch > 0.75 * config.Epochs ? 0.01 : epoch > 0.5 * config.Epochs ? 0.1 : 1),
        _ => config.LearningRate,
    };

    private static OptimizerHelper CreateOptimizer(TrainingConfig config, nn.Module model) => config.Optimizer switch
    {
        "adam" => optim.Adam(model.parameters(), config.LearningRate, weight_decay: config.WeightDecay),
        _ => optim.SGD(model.parameters(), config.LearningRate, momentum: config.Momentum, weight_decay: config.WeightDecay),
    };

    /// <summary>A permutation of the first <paramref name="n"/> samples that depends only on (seed, epoch).</summary>
    private static Tensor EpochOrder(long n, long seed, int epoch)
    {
        using var generator = new Generator(unchecked((ulong)(seed * 1_000_003L + epoch)));
        return randperm(n, generator: generator);
    }
}
