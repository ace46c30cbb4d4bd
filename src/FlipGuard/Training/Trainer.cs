using System.Diagnostics;
using FlipGuard.Core;
using FlipGuard.Data;
using FlipGuard.Models;
using FlipGuard.Training.Objectives;
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
        ITrainingSnapshots? resume = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default,
        nn.Module? initialWeights = null)
    {
        TorchRuntime.EnsureInitialized();
        config.Validate();
        var model = spec.Create(config.Seed);
        if (initialWeights is not null) CopyWeights(initialWeights, model);
        model.to(data.TrainImages.device);
        var plain = new CrossEntropyObjective();
        var regularized = config.CreateObjective();
        using var optimizer = CreateOptimizer(config, model);
        var history = resume?.TryRestore(config, model, optimizer)?.ToList() ?? new List<EpochRecord>();
        int resumedFrom = history.Count;
        long n = config.TrainLimit > 0 ? Math.Min(config.TrainLimit, data.TrainImages.shape[0]) : data.TrainImages.shape[0];
        var loader = new BatchLoader(data.TrainImages.narrow(0, 0, n), data.TrainLabels.narrow(0, 0, n), config.BatchSize, shuffle: true, seed: unchecked((ulong)config.Seed));
        int steps = loader.BatchCount;
        for (int epoch = history.Count + 1; epoch <= config.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            double lr = LearningRateAt(config, epoch);
            foreach (var g in optimizer.ParamGroups) g.LearningRate = lr;
            model.train();
            var objective = epoch > config.WarmupEpochs ? regularized : plain;
            double lossSum = 0, regSum = 0;
            int step = 0, regCount = 0;
            var stepClock = Stopwatch.StartNew();
            foreach (long[] batch in loader.Batches(epoch))
            {
                cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var (x, y) = loader.Load(batch);
                optimizer.zero_grad();
                var values = objective.Backward(model, x, y, (long)(epoch - 1) * steps + step);
                optimizer.step();
                if (!double.IsFinite(values.Loss) || values.Regularizer is { } bad && !double.IsFinite(bad))
                    throw new FlipGuardException($"training diverged at epoch {epoch}, step {step + 1} (loss {values.Loss:G4}" +
                        (values.Regularizer is { } rv ? $", {objective.Name} {rv:G4}" : "") + "); lower --lr" + (objective is CrossEntropyObjective ? "" : " or --lambda"));
                lossSum += values.Loss;
                if (values.Regularizer is { } r) { regSum += r; regCount++; }
                step++;
                progress?.Report(new TrainingProgress(epoch, config.Epochs, step, steps, lossSum / step, null));
            }
            double stepMs = stepClock.Elapsed.TotalMilliseconds / steps;
            double acc = Evaluator.Accuracy(model, data.TestImages, data.TestLabels);
            var record = new EpochRecord(epoch, lossSum / steps, regCount > 0 ? regSum / regCount : null, acc, lr, clock.Elapsed.TotalSeconds, stepMs);
            history.Add(record);
            resume?.Save(epoch, config, spec, model, optimizer, history);
            progress?.Report(new TrainingProgress(epoch, config.Epochs, steps, steps, record.TrainLoss, record));
        }
        double final = history.Count > 0 && history[^1].Epoch == config.Epochs && resumedFrom < config.Epochs
            ? history[^1].TestAccuracy
            : Evaluator.Accuracy(model, data.TestImages, data.TestLabels);
        return (model, new TrainingResult(config, history, final, data.TestImages.shape[0], resumedFrom));
    }

    /// <summary>Copies every state tensor of <paramref name="source"/> into <paramref name="target"/> (fine-tuning start).</summary>
    private static void CopyWeights(nn.Module source, nn.Module target)
    {
        var from = source.state_dict();
        using (no_grad())
            foreach (var (name, t) in target.state_dict())
            {
                if (!from.TryGetValue(name, out var s) || !s.shape.SequenceEqual(t.shape))
                    throw new FlipGuardException($"--init: the checkpoint has no tensor {name} of shape [{string.Join(",", t.shape)}]; it was trained for another architecture");
                t.copy_(s);
            }
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
}

/// <summary>Progress of a training run, reported after each optimisation step so a UI can draw a bar.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Epochs">Total epochs.</param>
/// <param name="Step">1-based step within the epoch.</param>
/// <param name="Steps">Steps per epoch.</param>
/// <param name="RunningLoss">Mean training loss over the epoch so far.</param>
/// <param name="Completed">The epoch record when this report closes an epoch, otherwise null.</param>
public sealed record TrainingProgress(int Epoch, int Epochs, int Step, int Steps, double RunningLoss, EpochRecord? Completed);

/// <summary>What one epoch achieved and cost.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="TrainLoss">Mean cross-entropy over the epoch's steps (without the regulariser).</param>
/// <param name="Regularizer">Mean regulariser value over the steps that computed it (trace, eigenvalue sum, or SAM's loss increase), null if none did.</param>
/// <param name="TestAccuracy">Test accuracy after the epoch, in [0, 1].</param>
/// <param name="LearningRate">Learning rate used.</param>
/// <param name="Seconds">Wall time of the epoch, evaluation included.</param>
/// <param name="StepMilliseconds">Mean wall time of one optimisation step.</param>
public sealed record EpochRecord(int Epoch, double TrainLoss, double? Regularizer, double TestAccuracy, double LearningRate, double Seconds, double StepMilliseconds);

/// <summary>The outcome of a training run, ready to serialise: per-epoch history and the final test accuracy.</summary>
/// <param name="Config">The recipe that was run.</param>
/// <param name="Epochs">One record per epoch, including epochs restored from a resumed run.</param>
/// <param name="TestAccuracy">Accuracy after the last epoch, in [0, 1].</param>
/// <param name="TestSamples">Number of test samples behind it.</param>
/// <param name="ResumedFromEpoch">Epochs that were restored instead of run (0 for a fresh run).</param>
public sealed record TrainingResult(TrainingConfig Config, IReadOnlyList<EpochRecord> Epochs, double TestAccuracy, long TestSamples, int ResumedFromEpoch);
