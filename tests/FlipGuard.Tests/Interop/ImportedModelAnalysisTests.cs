using FlipGuard.Checkpoints;
using FlipGuard.Data;
using FlipGuard.Faults.Encodings;
using FlipGuard.Faults.Evaluation;
using FlipGuard.Faults.Targets;
using FlipGuard.Hessian;
using FlipGuard.Sweeps;
using FlipGuard.Training;
using FlipGuard.Training.Regularizers;

namespace FlipGuard.Tests.Interop;

/// <summary>A model imported from a PyTorch file, saved as a checkpoint, goes through the sweep, the Hessian analysis and HAT fine-tuning.</summary>
public class ImportedModelAnalysisTests
{
    private static string ImportToCheckpoint(TempDirectory dir)
    {
        var (model, result) = PyTorchFixture.Import("tiny-cnn", "tiny-cnn.pt");
        using (model)
        {
            string path = dir.File("imported.fgc");
            CheckpointFile.Save(path, model, new CheckpointMetadata
            {
                Model = result.Model, Dataset = "mnist",
                NormalizationMean = Normalization.Mnist.Mean, NormalizationStd = Normalization.Mnist.Std,
            });
            return path;
        }
    }

    [Fact]
    public void SweepRunsOnTheImportedModelAndTheFastEvaluatorMatchesTheOracle()
    {
        using var dir = new TempDirectory();
        var (meta, model) = CheckpointFile.Load(ImportToCheckpoint(dir));
        using var data = LoadedDataset.Load("mnist", null, testLimit: 100);
        using (model)
        {
            var target = FlipTarget.Create(model);
            var (fast, name) = FlipEvaluatorFactory.Create(target, data.Test.Images, data.Test.Labels, naive: false);
            using var naive = new NaiveFlipEvaluator(target, data.Test.Images, data.Test.Labels);
            using (fast)
            {
                Assert.Equal("fast-linear-tail+certified-skip+incremental", name); // an imported CNN with a dense head: the head by the chain, the convolutions by certified skip and the incremental pass
                var sites = FlipSites.Create(target, BitSelection.Parse("30,31,22"), ParameterSelection.Parse("sample:80"), seed: 0);
                var changes = Enumerable.Range(0, (int)sites.Count).Select(o => sites.Change(o)).ToArray();
                var a = new long[changes.Length];
                var b = new long[changes.Length];
                fast.Evaluate(changes, a);
                naive.Evaluate(changes, b);
                Assert.Equal(b, a);
                Assert.Contains(b, c => c != naive.CleanCorrect);
            }
            var sweep = BitFlipSweep.Run(target, naive, new SweepOptions(BitSelection.Parse("exponent-msb"), ParameterSelection.Parse("sample:40"))
            {
                CheckpointSha256 = meta.WeightsSha256, Dataset = "mnist",
            });
            var summary = SweepSummary.From(sweep);
            Assert.True(summary.Complete);
            Assert.Equal(40, summary.FlipsEvaluated);
        }
    }

    [Fact]
    public void HessianAnalysisAndHatFineTuningAcceptTheImportedModel()
    {
        using var dir = new TempDirectory();
        var (meta, model) = CheckpointFile.Load(ImportToCheckpoint(dir));
        using var data = LoadedDataset.Load("mnist", null, normalization: new Normalization(meta.NormalizationMean, meta.NormalizationStd), testLimit: 200);
        using (model)
        {
            var report = HessianAnalysis.Run(model, data.Test.Images, data.Test.Labels,
                new HessianOptions(LayerSelection.All, Samples: 100, BatchSize: 100, new HutchinsonOptions(MaxProbes: 4, MinProbes: 2), TopK: 1, Method: "power"));
            Assert.True(double.IsFinite(report.Trace.Mean) && report.Trace.Mean > 0, $"trace {report.Trace.Mean}");
            Assert.Equal(model.parameters().Sum(p => p.numel()), report.Parameters);

            var config = new TrainingConfig
            {
                Model = meta.Model.Architecture, Epochs = 1, TrainLimit = 256, BatchSize = 64, LearningRate = 0.01,
                Regularizer = "trace", Seed = 1, InitWeightsSha256 = meta.WeightsSha256,
            }.With(HessianPenalty.Layers, "all").With(HessianPenalty.Every, 2).With(HessianPenalty.Lambda, 0.001);
            var (tuned, result) = Trainer.Train(meta.Model, config, TrainingData.From(data), initialWeights: model);
            using (tuned)
            {
                Assert.Single(result.Epochs);
                Assert.NotNull(result.Epochs[0].Regularizer);
                Assert.IsType<FlipGuard.Models.Described.DescribedNetwork>(tuned);
                // Fine-tuning started from the imported weights, not from the seed's fresh initialisation.
                using var fresh = meta.Model.Create(config.Seed);
                double fromImported = Distance(tuned, model), fromFresh = Distance(tuned, fresh);
                Assert.True(fromImported > 0 && fromImported < 0.5 * fromFresh, $"distance to imported {fromImported:G3}, to fresh init {fromFresh:G3}");
            }
        }
    }

    private static double Distance(TorchSharp.torch.nn.Module a, TorchSharp.torch.nn.Module b) =>
        Math.Sqrt(a.parameters().Zip(b.parameters(), (p, q) => (p - q).square().sum().item<float>()).Sum());
}
