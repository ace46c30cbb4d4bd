using FlipGuard.Checkpoints;
using FlipGuard.Data;
using FlipGuard.Hessian;
using FlipGuard.Models;
using FlipGuard.Training;
using FlipGuard.Training.Regularizers;

namespace FlipGuard.Bench;

/// <summary>
/// Trains the flatness recipes side by side (same model, data, seed and epochs) and measures each model's
/// test accuracy and Hessian statistics on the test set: the table of docs/results.md.
/// </summary>
internal static class HessianTable
{
    public static int Run(string[] args)
    {
        var a = new BenchArgs(args);
        string dataset = a.Get("dataset", "mnist");
        string output = a.Get("output", "runs/hessian-table");
        int seed = a.GetInt("seed", 0);
        double lambda = double.Parse(a.Get("lambda", "0.001"));
        double eigLambda = double.Parse(a.Get("eig-lambda", "0.01"));
        double lastLambda = double.Parse(a.Get("last-lambda", "0.01"));
        double rho = double.Parse(a.Get("rho", "0.05"));
        using var data = LoadedDataset.Load(dataset, null);
        var tensors = TrainingData.From(data);
        Console.WriteLine($"{dataset}: {data.Description}; seed {seed}; Hessian on the test split (Hutchinson ≤ 300 probes, 1% tolerance; Lanczos top-1)\n");
        foreach (string model in a.GetList("models", "mlp,lenet5"))
        {
            int epochs = a.GetInt("epochs", 10);
            var spec = new ModelSpec(model, data.Shape.Channels, data.Shape.Height, data.Shape.Width, data.Classes);
            var baseConfig = new TrainingConfig { Model = model, Dataset = dataset, Epochs = epochs, Seed = seed }
                .With(HessianPenalty.Layers, "all").With(HessianPenalty.Every, 1);
            (string Name, TrainingConfig Config)[] recipes =
            [
                ("plain", baseConfig),
                ($"SAM ρ={rho}", baseConfig.With(SharpnessAwareRegularizer.Rho, rho) with { Regularizer = "sam" }),
                ($"HAT trace λ={lambda}", baseConfig.With(HessianPenalty.Lambda, lambda) with { Regularizer = "trace" }),
                ($"HAT top-eig k=1 λ={eigLambda}", baseConfig.With(HessianPenalty.Lambda, eigLambda).With(TopEigenvalueRegularizer.TopP, 1) with { Regularizer = "top-eig" }),
                ($"HAT trace last layer λ={lastLambda}", baseConfig.With(HessianPenalty.Lambda, lastLambda).With(HessianPenalty.Layers, "last:1") with { Regularizer = "trace" }),
                ($"HAT trace 1 sampled layer every 4 steps λ={lastLambda}", baseConfig.With(HessianPenalty.Lambda, lastLambda).With(HessianPenalty.Layers, "sample:1").With(HessianPenalty.Every, 4) with { Regularizer = "trace" }),
            ];
            Console.WriteLine($"### {model} ({epochs} epochs)\n");
            Console.WriteLine("| recipe | test accuracy | Hessian trace (± s.e.) | vs plain | top eigenvalue | train ms/step |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|");
            double? plainTrace = null;
            foreach (var (name, config) in recipes)
            {
                string path = Path.Combine(output, $"{model}-{config.Regularizer}-{config.RegularizerSettings.Get(HessianPenalty.Layers).Replace(':', '-')}-e{config.RegularizerSettings.Get(HessianPenalty.Every)}-s{seed}.fgc");
                var (trained, result) = Trainer.Train(spec, config, tensors);
                CheckpointFile.Save(path, trained, new CheckpointMetadata
                {
                    Model = spec, Dataset = dataset, DatasetSource = data.Description, NormalizationMean = data.Normalization.Mean,
                    NormalizationStd = data.Normalization.Std, Training = config, CleanAccuracy = result.TestAccuracy, CleanAccuracySamples = (int)result.TestSamples,
                });
                var report = HessianAnalysis.Run(trained, data.Test.Images, data.Test.Labels,
                    new HessianOptions(LayerSelection.All, 0, 500, new HutchinsonOptions(300, 8, 0.01, seed), TopK: 1));
                trained.Dispose();
                plainTrace ??= report.Trace.Mean;
                double change = (report.Trace.Mean - plainTrace.Value) / plainTrace.Value;
                double stepMs = result.Epochs.Average(e => e.StepMilliseconds);
                Console.WriteLine($"| {name} | {result.TestAccuracy * 100:F2}% | {report.Trace.Mean:F2} ± {report.Trace.StandardError:F2} | {change * 100:+0.0;-0.0;0.0}% | {report.TopEigenvalues!.Values[0]:F3} | {stepMs:F1} |");
            }
            Console.WriteLine();
        }
        return 0;
    }
}
