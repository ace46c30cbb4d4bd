using System.Diagnostics;
using System.Text.Json;
using FlipGuard.Checkpoints;
using FlipGuard.Core;
using FlipGuard.Data;
using FlipGuard.Models;
using FlipGuard.Statistics;
using FlipGuard.Studies.Analyses;
using FlipGuard.Studies.Results;
using FlipGuard.Training;
using static TorchSharp.torch;

namespace FlipGuard.Studies;

/// <summary>
/// Runs a study: for every architecture, seed and recipe it trains the model (or reuses the checkpoint with the same
/// <see cref="RecipeKey"/>), then runs every analysis the store does not already hold for that model and those
/// settings. Each finished step is one transaction in the <see cref="ResultsStore"/>; training resumes from its
/// per-epoch snapshots and sweeps from their journals, so a killed study rerun with the same file continues where it
/// stopped and ends with the same results as an uninterrupted run.
/// </summary>
public static class StudyRunner
{
    /// <summary>The column training fills: test accuracy with a Wilson interval over the test samples.</summary>
    public static MetricKind Accuracy { get; } = new("training.accuracy", "test accuracy", MetricFormat.Percent, Better.Higher, false,
        "Accuracy on the test split right after training (95% Wilson interval over the test samples).");

    /// <summary>Runs (or continues) <paramref name="config"/> in <paramref name="options"/>' folder.</summary>
    /// <exception cref="FlipGuardException">Bad data, a checkpoint that does not match its key, or an analysis's user error.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; finished steps are kept.</exception>
    public static StudyRunResult Run(StudyConfig config, StudyRunOptions options, IProgress<StudyProgress>? progress = null, CancellationToken cancellation = default)
    {
        TorchRuntime.EnsureInitialized();
        var clock = Stopwatch.StartNew();
        string dir = Path.GetFullPath(options.OutputDirectory);
        string checkpoints = Path.GetFullPath(options.CheckpointDirectory ?? Path.Combine(dir, "checkpoints"));
        using var hold = FolderLock.Acquire(dir, "study");
        OutputFolder.Create(checkpoints);
        using var data = LoadedDataset.Load(config.Dataset, options.DataDirectory);
        using var store = ResultsStore.Open(options.DatabasePath, create: true);
        var analyses = config.Analyses.Select(a => (Analysis: a, Key: StudyAnalysisKey.Of(a), Json: StudyAnalysisKey.SettingsJson(a))).ToList();
        store.BeginStudy(config, data.Description, [Accuracy, .. config.Analyses.SelectMany(a => a.Metrics)], config.Analyses.SelectMany(a => a.Series).ToList(),
            [(ResultsStore.Training, ResultsStore.Training), .. analyses.Select(a => (a.Analysis.Name, a.Key))]);
        var imported = config.Recipes.Where(r => r.Checkpoint is not null).ToDictionary(r => r.Name, r => CheckpointFile.ReadMetadata(r.Checkpoint!));
        string? dataSha = config.Recipes.Any(r => r.Checkpoint is null) ? RecipeKey.DataSha256(data) : null;
        var plan = Plan(config, imported);
        var finished = new Dictionary<(string Architecture, long Seed, string Recipe), (StudyModel Model, string Weights)>();
        int trained = 0, reused = 0, ran = 0, skipped = 0;
        for (int i = 0; i < plan.Count; i++)
        {
            var (recipe, architecture, seed) = plan[i];
            void Report(string stage, double fraction, string detail, bool done = false, bool skip = false, string? name = null) =>
                progress?.Report(new StudyProgress(i + 1, plan.Count, name ?? $"{architecture}/{recipe.Name}/s{seed}", stage, fraction, detail, done, skip));
            StudyModel model;
            string weights;
            if (recipe.Checkpoint is { } path)
            {
                var meta = imported[recipe.Name];
                model = new StudyModel(recipe.Name, architecture, seed, RecipeKey.OfCheckpoint(meta), path);
                weights = meta.WeightsSha256;
                if (store.WeightsOf(model.Key) != weights) store.SaveModel(model, JsonSerializer.Serialize(meta.Training, CheckpointFile.JsonOptions), weights, MeasureImported(path, data));
                Report("model", 1, $"existing checkpoint {Path.GetFileName(path)}", true, true, model.DisplayName);
                reused++;
            }
            else
            {
                var spec = new ModelSpec(architecture, data.Shape.Channels, data.Shape.Height, data.Shape.Width, data.Classes);
                var training = recipe.Template with { Model = architecture, Dataset = config.Dataset, Seed = seed };
                StudyModel? init = null;
                if (recipe.InitFrom is { } from)
                {
                    (init, string initWeights) = finished[(architecture, seed, from)];
                    training = training with { InitWeightsSha256 = initWeights };
                }
                string key = RecipeKey.Of(spec, training, dataSha!);
                model = new StudyModel(recipe.Name, architecture, seed, key, Path.Combine(checkpoints, $"{architecture}-s{seed}-{key[..16]}.fgc"));
                if (File.Exists(model.Checkpoint))
                {
                    var meta = CheckpointFile.ReadMetadata(model.Checkpoint);
                    if (meta.Training != training)
                        throw new FlipGuardException($"{model.Checkpoint} holds a model of a different recipe than its key says; delete it to train again");
                    weights = meta.WeightsSha256;
                    if (store.WeightsOf(key) != weights)
                        store.SaveModel(model, JsonSerializer.Serialize(training, CheckpointFile.JsonOptions), weights, TrainingOutcome(meta.CleanAccuracy ?? double.NaN, meta.CleanAccuracySamples ?? 0, 0));
                    Report("training", 1, $"reused {Path.GetFileName(model.Checkpoint)}", true, true, model.DisplayName);
                    reused++;
                }
                else
                {
                    weights = Train(model, spec, training, init, data, store, (f, d) => Report("training", f, d, name: model.DisplayName), cancellation, out double accuracy);
                    Report("training", 1, $"test accuracy {StudyFormat.Value(MetricFormat.Percent, accuracy)}", true, false, model.DisplayName);
                    trained++;
                }
            }
            finished[(architecture, seed, recipe.Name)] = (model, weights);
            store.AddToPlan(i, model);
            foreach (var (analysis, key, json) in analyses)
            {
                if (store.HasResult(model.Key, analysis.Name, key))
                {
                    Report(analysis.Name, 1, "already in the store", true, true, model.DisplayName);
                    skipped++;
                    continue;
                }
                var outcome = RunAnalysis(analysis, model, weights, data, dir, Path.Combine(dir, "analyses", model.FolderName, $"{analysis.Name}-{key[..8]}"),
                    (f, d) => Report(analysis.Name, f, d, name: model.DisplayName), cancellation);
                store.SaveResult(model.Key, analysis.Name, key, json, outcome);
                Report(analysis.Name, 1, Summary(outcome), true, false, model.DisplayName);
                ran++;
            }
        }
        store.SetComplete(true);
        return new StudyRunResult(dir, store.Path, plan.Count, trained, reused, ran, skipped, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Models in report order: per architecture, per seed, every recipe (an existing checkpoint once, for its own architecture).</summary>
    private static List<(StudyRecipe Recipe, string Architecture, long Seed)> Plan(StudyConfig config, Dictionary<string, CheckpointMetadata> imported)
    {
        var plan = new List<(StudyRecipe, string, long)>();
        foreach (string architecture in config.Architectures)
            foreach (long seed in config.Seeds)
                foreach (var r in config.Recipes)
                {
                    if (r.Checkpoint is null) plan.Add((r, architecture, seed));
                    else if (seed == config.Seeds[0] && imported[r.Name].Model.Architecture == architecture)
                        plan.Add((r, architecture, imported[r.Name].Training?.Seed ?? 0));
                }
        return plan;
    }

    private static string Train(StudyModel model, ModelSpec spec, TrainingConfig config, StudyModel? init, LoadedDataset data, ResultsStore store,
        Action<double, string> report, CancellationToken cancellation, out double accuracy)
    {
        nn.Module<Tensor, Tensor>? initial = null;
        if (init is not null) (_, initial) = CheckpointFile.Load(init.Checkpoint);
        var state = new TrainingState(model.Checkpoint + ".state");
        var clock = Stopwatch.StartNew();
        try
        {
            var (network, result) = Trainer.Train(spec, config, TrainingData.From(data), state, new ProgressRelay<TrainingProgress>(p =>
                report(((p.Epoch - 1) * (double)p.Steps + p.Step) / (p.Epochs * (double)p.Steps), $"epoch {p.Epoch}/{p.Epochs} loss {p.RunningLoss:F4}")), cancellation, initial);
            using (network)
            {
                var meta = CheckpointFile.Save(model.Checkpoint, network, new CheckpointMetadata
                {
                    Model = spec, Dataset = config.Dataset, DatasetSource = data.Description,
                    NormalizationMean = data.Normalization.Mean, NormalizationStd = data.Normalization.Std,
                    Training = config, CleanAccuracy = result.TestAccuracy, CleanAccuracySamples = (int)result.TestSamples,
                });
                state.Clear();
                store.SaveModel(model, JsonSerializer.Serialize(config, CheckpointFile.JsonOptions), meta.WeightsSha256,
                    TrainingOutcome(result.TestAccuracy, result.TestSamples, clock.Elapsed.TotalSeconds));
                accuracy = result.TestAccuracy;
                return meta.WeightsSha256;
            }
        }
        finally { initial?.Dispose(); }
    }

    private static AnalysisOutcome MeasureImported(string path, LoadedDataset data)
    {
        var (meta, network) = CheckpointFile.Load(path);
        using (network)
        {
            var m = meta.Model;
            if (m.Channels != data.Shape.Channels || m.Height != data.Shape.Height || m.Width != data.Shape.Width || m.Classes != data.Classes)
                throw new FlipGuardException($"{path}: model expects {m.Channels}x{m.Height}x{m.Width} images in {m.Classes} classes, the study's dataset has {data.Shape} in {data.Classes}");
            return TrainingOutcome(Evaluator.Accuracy(network, data.Test.Images, data.Test.Labels), data.Test.Count, 0);
        }
    }

    private static AnalysisOutcome TrainingOutcome(double accuracy, long samples, double seconds)
    {
        var interval = samples > 0 ? ProportionEstimate.Wilson(accuracy, samples, 1) : null;
        return new AnalysisOutcome([new MetricValue(Accuracy.Name, accuracy, interval?.Low, interval?.High)], [], [], null, seconds);
    }

    private static AnalysisOutcome RunAnalysis(IStudyAnalysis analysis, StudyModel model, string weights, LoadedDataset data, string studyDirectory, string work,
        Action<double, string> report, CancellationToken cancellation)
    {
        OutputFolder.Create(work);
        var (meta, network) = CheckpointFile.Load(model.Checkpoint);
        using (network)
        {
            if (meta.WeightsSha256 != weights) throw new FlipGuardException($"{model.Checkpoint} changed since it was recorded; delete it and the study's results.db to start again");
            network.eval();
            using var scope = NewDisposeScope();
            return analysis.Run(new StudyAnalysisContext(model, meta, network, data, studyDirectory, work, report), cancellation);
        }
    }

    private static string Summary(AnalysisOutcome o) =>
        $"{o.Seconds:F1}s" + (o.Metrics.Count > 0 ? "  " + string.Join("  ", o.Metrics.Select(m => $"{m.Name[(m.Name.IndexOf('.') + 1)..]} {m.Value:G5}")) : "");
}

/// <summary>
/// Progress of a study: which model (of how many) and which stage it is in, how far that stage is, and a line of
/// detail. <see cref="Finished"/> is set on the last report of a stage, with <see cref="Skipped"/> when the store
/// already had its result.
/// </summary>
public sealed record StudyProgress(int Model, int Models, string ModelName, string Stage, double Fraction, string Detail, bool Finished = false, bool Skipped = false);

/// <summary>What a study run did: how much it computed and how much it found already done.</summary>
public sealed record StudyRunResult(string Directory, string Database, int Models, int ModelsTrained, int ModelsReused, int AnalysesRun, int AnalysesReused, double Seconds);

/// <summary>Where a study runs: its folder (results store, report, analysis files), its checkpoint folder and the data folder.</summary>
/// <param name="OutputDirectory">The study folder.</param>
public sealed record StudyRunOptions(string OutputDirectory)
{
    /// <summary>Checkpoint folder (default <c>OUTPUT/checkpoints</c>); studies that share one reuse each other's models.</summary>
    public string? CheckpointDirectory { get; init; }
    /// <summary>A folder holding the dataset's files, searched first (as <c>--data-dir</c>).</summary>
    public string? DataDirectory { get; init; }

    /// <summary>The results store's path inside the study folder.</summary>
    public string DatabasePath => Path.Combine(OutputDirectory, "results.db");
}
