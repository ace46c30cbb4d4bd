using System.CommandLine;
using FlipGuard.Checkpoints;
using FlipGuard.Core;
using FlipGuard.Data;
using FlipGuard.Models;
using FlipGuard.Models.Described;
using FlipGuard.Training;
using FlipGuard.Training.Regularizers;
using Spectre.Console;
using static TorchSharp.torch;

namespace FlipGuard.Cli.Commands;

/// <summary><c>flipguard train</c>: train a zoo model on a dataset and write a checkpoint.</summary>
public static class TrainCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = new Option<string?>("--model", "-m") { Description = "Architecture: a built-in name (see 'flipguard models'; default mlp) or an architecture .json file (see 'flipguard models describe'). With --init, the checkpoint's architecture." };
        var dataset = new Option<string>("--dataset", "-d") { Description = "mnist, fashion-mnist, cifar10 or mnist-10k (see 'flipguard data list').", DefaultValueFactory = _ => "mnist" };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training set.", DefaultValueFactory = _ => 10 }.Within(NumericRange.UpTo(100_000));
        var batch = new Option<int>("--batch-size") { Description = "Samples per step.", DefaultValueFactory = _ => 128 }.Within(NumericRange.UpTo(1 << 20));
        var optimizer = new Option<string>("--optimizer") { Description = "sgd (with momentum) or adam.", DefaultValueFactory = _ => "sgd" }.AcceptOnlyFromAmong("sgd", "adam");
        var lr = new Option<double>("--lr") { Description = "Initial learning rate.", DefaultValueFactory = _ => 0.05 }.Within(NumericRange.PositiveReal);
        var momentum = new Option<double>("--momentum") { Description = "SGD momentum.", DefaultValueFactory = _ => 0.9 }.Within(new NumericRange(0, 1, MaxExclusive: true));
        var wd = new Option<double>("--weight-decay") { Description = "L2 weight decay.", DefaultValueFactory = _ => 5e-4 }.Within(NumericRange.NonNegativeReal);
        var schedule = new Option<string>("--schedule") { Description = "Learning-rate schedule: cosine, step or constant.", DefaultValueFactory = _ => "cosine" }.AcceptOnlyFromAmong("cosine", "step", "constant");
        var seed = new Option<long>("--seed") { Description = "Seed of the initial weights and the batch order.", DefaultValueFactory = _ => 0 }.Within(NumericRange.AnyLong);
        var trainLimit = new Option<int>("--train-limit") { Description = "Train on the first N samples only (0 = all)." }.Within(NumericRange.NonNegative);
        var output = new Option<string?>("--output", "-o") { Description = "Checkpoint to write (default: runs/MODEL-DATASET-sSEED.fgc)." };
        var resume = new Option<bool>("--resume") { Description = "Continue an interrupted run of the same recipe from its last finished epoch." };
        var fresh = new Option<bool>("--fresh") { Description = "Discard an interrupted run's saved epochs and start over." };
        var reg = new Option<string>("--reg") { Description = $"Regulariser: {RegularizerCatalog.Default.Help}.", DefaultValueFactory = _ => "none" }
            .AcceptOnlyFromAmong([.. RegularizerCatalog.Default.Names]);
        var regSettings = new SettingOptions(RegularizerCatalog.Default.Settings);
        var warmup = new Option<int>("--warmup-epochs") { Description = "Plain epochs before the regulariser starts." }.Within(new NumericRange(0, 100_000));
        var init = new Option<string?>("--init") { Description = "Start from this checkpoint's weights (fine-tuning) instead of a fresh initialisation." };
        var dataDir = CommonOptions.DataDir();
        var threads = CommonOptions.Threads();
        var device = CommonOptions.Device();
        var json = CommonOptions.Json();
        var command = new Command("train", "Train a model and save a checkpoint (weights, recipe, accuracy, SHA-256).")
        {
            model, dataset, epochs, batch, optimizer, lr, momentum, wd, schedule, seed, trainLimit, reg,
        };
        foreach (var o in (IEnumerable<Option>)[.. regSettings.All, warmup, init, output, resume, fresh, dataDir, threads, device, json]) command.Options.Add(o);
        command.SetAction(CommandRunner.Action((parse, token) =>
        {
            var config = new TrainingConfig
            {
                Model = parse.GetValue(model) ?? "mlp", Dataset = parse.GetValue(dataset)!, Epochs = parse.GetValue(epochs),
                BatchSize = parse.GetValue(batch), Optimizer = parse.GetValue(optimizer)!, LearningRate = parse.GetValue(lr),
                Momentum = parse.GetValue(momentum), WeightDecay = parse.GetValue(wd), Schedule = parse.GetValue(schedule)!,
                Seed = parse.GetValue(seed), TrainLimit = parse.GetValue(trainLimit),
                Regularizer = parse.GetValue(reg)!, RegularizerSettings = SettingValues.Empty.Read(RegularizerCatalog.Default.Settings, regSettings.From(parse)),
                WarmupEpochs = parse.GetValue(warmup),
            };
            nn.Module<Tensor, Tensor>? initial = null;
            CheckpointMetadata? initMeta = null;
            ArchitectureDescription? described = null;
            if (parse.GetValue(init) is { } initPath)
            {
                (initMeta, initial) = CheckpointFile.Load(initPath);
                if (parse.GetValue(model) is { } asked && asked != initMeta.Model.Architecture)
                    throw new FlipGuardException($"--init {initPath} holds a {initMeta.Model.Architecture}, not a {asked}");
                config = config with { Model = initMeta.Model.Architecture, InitWeightsSha256 = initMeta.WeightsSha256 };
            }
            else if (config.Model.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            {
                described = ArchitectureDescription.Load(config.Model);
                config = config with { Model = described.Name };
            }
            config.Validate();
            regSettings.RefuseUnused(parse, RegularizerCatalog.Default.Find(config.Regularizer)?.Settings ?? [], $"--reg {config.Regularizer}");
            if (parse.GetValue(resume) && parse.GetValue(fresh)) throw new FlipGuardException("--resume and --fresh contradict each other; give one");
            if (config.WarmupEpochs > 0 && config.Regularizer == "none")
                throw new FlipGuardException($"--warmup-epochs {config.WarmupEpochs} without --reg has no effect; give --reg or leave it out");
            if (config.WarmupEpochs >= config.Epochs && config.Regularizer != "none")
                throw new FlipGuardException($"--warmup-epochs {config.WarmupEpochs} ≥ --epochs {config.Epochs}: --reg {config.Regularizer} would never run, yet the recipe would record it");
            bool quiet = parse.GetValue(json);
            var torchDevice = TorchSession.Configure(parse.GetValue(threads), parse.GetValue(device)!);
            string path = parse.GetValue(output) ?? Path.Combine("runs", $"{config.Model}-{config.Dataset}-s{config.Seed}.fgc");
            AtomicFile.CheckWritable(path, createFolder: true); // before the epochs, not after them
            var state = new TrainingState(path + ".state");
            if (Directory.Exists(path + ".state"))
            {
                if (parse.GetValue(fresh)) state.Clear();
                else if (!parse.GetValue(resume))
                    throw new FlipGuardException($"an interrupted run is saved in {path}.state: pass --resume to continue it or --fresh to discard it");
            }
            // Fine-tuning keeps the input normalisation the initial weights were trained (or imported) with.
            var normalization = initMeta is { NormalizationMean.Length: > 0 } ? new Normalization(initMeta.NormalizationMean, initMeta.NormalizationStd) : null;
            using var data = LoadedDataset.Load(config.Dataset, parse.GetValue(dataDir), normalization);
            var spec = initMeta is not null ? initMeta.Model
                : described is not null ? ModelSpec.Described(described, data.Shape.Channels, data.Shape.Height, data.Shape.Width, data.Classes)
                : new ModelSpec(config.Model, data.Shape.Channels, data.Shape.Height, data.Shape.Width, data.Classes);
            if (spec.Channels != data.Shape.Channels || spec.Height != data.Shape.Height || spec.Width != data.Shape.Width || spec.Classes != data.Classes)
                throw new FlipGuardException($"--init: the checkpoint's {spec} does not take {config.Dataset} ({data.Shape}, {data.Classes} classes)");
            if (!quiet)
                AnsiConsole.MarkupLine($"Training [bold]{Markup.Escape(spec.ToString())}[/] on [bold]{Markup.Escape(data.Description)}[/]");
            int stepsPerEpoch = (int)Math.Ceiling((config.TrainLimit > 0 ? Math.Min(config.TrainLimit, data.TrainCount) : data.TrainCount) / (double)config.BatchSize);
            var (trained, result) = ProgressView.Run(quiet, "training", config.Epochs * stepsPerEpoch, bar =>
                Trainer.Train(spec, config, TrainingData.From(data, torchDevice), state, new ProgressRelay<TrainingProgress>(p =>
                {
                    bar.Value = (p.Epoch - 1) * (double)p.Steps + p.Step;
                    bar.Description = $"epoch {p.Epoch}/{p.Epochs}  loss {p.RunningLoss:F4}";
                    if (p.Completed is { } e)
                        bar.Log($"epoch {e.Epoch,3}  loss {e.TrainLoss:F4}" + (e.Regularizer is { } r ? $"  {config.Regularizer} {r:G4}" : "") +
                                $"  test accuracy {Output.Percent(e.TestAccuracy)}  lr {e.LearningRate:G3}  {e.StepMilliseconds:F1} ms/step  {e.Seconds:F1}s");
                }), token, initial));
            initial?.Dispose();
            using (trained)
            {
                var meta = CheckpointFile.Save(path, trained, new CheckpointMetadata
                {
                    Model = spec, Dataset = config.Dataset, DatasetSource = data.Description,
                    NormalizationMean = data.Normalization.Mean, NormalizationStd = data.Normalization.Std,
                    Training = config, CleanAccuracy = result.TestAccuracy, CleanAccuracySamples = (int)result.TestSamples,
                });
                state.Clear();
                if (quiet) Output.WriteJson(new { checkpoint = path, result, weightsSha256 = meta.WeightsSha256 });
                else AnsiConsole.MarkupLine($"Test accuracy [bold green]{Output.Percent(result.TestAccuracy)}[/] on {result.TestSamples:N0} samples; checkpoint written to [bold]{Markup.Escape(path)}[/]");
            }
            return 0;
        }));
        return command;
    }
}
