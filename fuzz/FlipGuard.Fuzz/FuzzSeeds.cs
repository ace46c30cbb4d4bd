using System.Formats.Tar;
using System.IO.Compression;
using FlipGuard.Checkpoints;
using FlipGuard.Data;
using FlipGuard.Data.Formats;
using FlipGuard.Interop;
using FlipGuard.Interop.PyTorch;
using FlipGuard.Models;
using FlipGuard.Models.Described;
using FlipGuard.Studies.Results;

namespace FlipGuard.Fuzz;

/// <summary>
/// The seed corpus: one small valid file per harness (a fuzzer mutates what it is given, so each seed is the smallest
/// input that reaches the whole reader), all built by FlipGuard's own writers so they stay valid as formats evolve.
/// </summary>
public static class FuzzSeeds
{
    /// <summary>A described network small enough that its checkpoint and exports stay under a kilobyte or two.</summary>
    public const string TinyArchitecture = """{"name":"tiny","layers":[{"type":"conv","out":2,"kernel":3},{"type":"batchnorm"},{"type":"relu"},{"type":"maxpool","kernel":2},{"type":"flatten"},{"type":"linear","out":10}]}""";

    /// <summary>Writes the seeds into <paramref name="root"/>/NAME/seed-*.</summary>
    public static void Write(string root)
    {
        string Folder(string name) => Directory.CreateDirectory(Path.Combine(root, name)).FullName;
        var spec = ModelSpec.Described(ArchitectureDescription.Parse(TinyArchitecture, "tiny.json"), 1, 8, 8, 10);
        string checkpoint = Path.Combine(Folder("checkpoint"), "seed-tiny.fgc");
        using (var model = spec.Create(seed: 1))
            CheckpointFile.Save(checkpoint, model, new CheckpointMetadata
            {
                Model = spec, Dataset = "mnist", NormalizationMean = [0.1307f], NormalizationStd = [0.3081f], CleanAccuracy = 0.5, CleanAccuracySamples = 10,
                Training = new Training.TrainingConfig { Model = "tiny", Epochs = 1 },
            });

        var images = new RawImageSet(new ImageShape(1, 4, 4), Enumerable.Range(0, 48).Select(i => (byte)(i * 5)).ToArray(), [1, 2, 3], 10);
        IdxWriter.WriteImages(Path.Combine(Folder("idx"), "seed-raw"), images, gzip: false);
        IdxWriter.WriteImages(Path.Combine(Folder("idx"), "seed-gz"), images, gzip: true);
        IdxWriter.WriteImages(Path.Combine(Folder("idx"), "seed-colour"), new RawImageSet(new ImageShape(3, 2, 2), new byte[24], [0, 1], 10), gzip: false);
        IdxWriter.WriteLabels(Path.Combine(Folder("idx-labels"), "seed-raw"), images, gzip: false);
        IdxWriter.WriteLabels(Path.Combine(Folder("idx-labels"), "seed-gz"), images, gzip: true);

        string batches = Directory.CreateTempSubdirectory("flipguard-seed-").FullName;
        string folder = Directory.CreateDirectory(Path.Combine(batches, Cifar10Reader.FolderName)).FullName;
        foreach (string f in Cifar10Reader.TrainFiles.Append(Cifar10Reader.TestFile))
        {
            var record = new byte[Cifar10Reader.RecordSize];
            record[0] = 3;
            File.WriteAllBytes(Path.Combine(folder, f), record);
        }
        using (var gz = new GZipStream(File.Create(Path.Combine(Folder("cifar-archive"), "seed.tar.gz")), CompressionLevel.SmallestSize))
            TarFile.CreateFromDirectory(folder, gz, includeBaseDirectory: true);
        Directory.Delete(batches, recursive: true);

        ModelExporter.Export(checkpoint, WeightFormat.PyTorch, Path.Combine(Folder("pytorch"), "seed-export.pt"));
        StateDictWriter.Write(Path.Combine(Folder("pytorch"), "seed-two.pt"),
            [new StoredTensor("w", TensorDType.Float32, [2, 2], new byte[16]), new StoredTensor("n", TensorDType.Int64, [], new byte[8])]);
        ModelExporter.Export(checkpoint, WeightFormat.SafeTensors, Path.Combine(Folder("safetensors"), "seed-export.safetensors"));
        ModelExporter.Export(checkpoint, WeightFormat.Onnx, Path.Combine(Folder("onnx"), "seed-export.onnx"));

        File.WriteAllText(Path.Combine(Folder("study-yaml"), "seed.yaml"), """
            name: seed
            dataset: mnist-10k
            architectures: [mlp]
            seeds: [0, 1]
            training:
              epochs: 2
              train-limit: 1000
            recipes:
              - name: plain
              - name: hat
                label: HAT trace
                reg: trace
                lambda: 0.01
            analyses:
              hessian:
                probes: 4
              sweep:
                bits: exponent-msb
                params: sample:200
            """);
        File.WriteAllText(Path.Combine(Folder("architecture-json"), "seed-tiny.json"), TinyArchitecture);
        File.WriteAllText(Path.Combine(Folder("architecture-json"), "seed-residual.json"),
            """{"name":"res","layers":[{"type":"conv","out":2,"kernel":3,"padding":1},{"type":"residual","layers":[{"type":"conv","out":2,"kernel":3,"padding":1},{"type":"batchnorm"}]},{"type":"global-avgpool"},{"type":"flatten"},{"type":"linear","out":10}]}""");

        string storeFolder = Folder("results-store");
        var config = Studies.StudyConfig.Parse("name: seed\ndataset: mnist-10k\nrecipes:\n  - name: plain\n  - name: hat\n    reg: trace\n", "seed.yaml", storeFolder);
        var accuracy = Studies.StudyRunner.Accuracy;
        var rad90 = new MetricKind(Studies.Analyses.SweepStudyAnalysis.Rad90, "bits RAD 90–100%", MetricFormat.Count, Better.Lower, true, "bad bits");
        var perBit = new SeriesKind(Studies.Analyses.SweepStudyAnalysis.PerBit, "bad bits per bit", "bit", "flips", true);
        using (var store = ResultsStore.Open(Path.Combine(storeFolder, "seed.db"), create: true))
        {
            store.BeginStudy(config, "built-in digits", [accuracy, rad90], [perBit], [(ResultsStore.Training, ResultsStore.Training), ("sweep", "k1")]);
            int position = 0;
            foreach (var recipe in config.Recipes)
            {
                var model = new Studies.StudyModel(recipe.Name, "mlp", 0, recipe.Name.PadRight(16, '0'), recipe.Name + ".fgc");
                store.SaveModel(model, "{}", "sha", new AnalysisOutcome([new MetricValue(accuracy.Name, 0.96, 0.95, 0.97)], [], [], null, 1));
                store.SaveResult(model.Key, "sweep", "k1", "{}", new AnalysisOutcome([new MetricValue(rad90.Name, 7)], [new SeriesValue(perBit.Name, ["30", "31"], [7, 1])], [], null, 2));
                store.AddToPlan(position++, model);
            }
            store.SetComplete(true);
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }
}
