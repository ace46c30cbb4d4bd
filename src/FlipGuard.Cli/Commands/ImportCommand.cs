using System.CommandLine;
using FlipGuard.Checkpoints;
using FlipGuard.Core;
using FlipGuard.Data;
using FlipGuard.Interop;
using FlipGuard.Models;
using FlipGuard.Models.Described;
using Spectre.Console;

namespace FlipGuard.Cli.Commands;

/// <summary>
/// <c>flipguard import FILE</c>: load a PyTorch state dict, safetensors or ONNX file into a FlipGuard architecture
/// (built-in or described), measure its accuracy and save it as an ordinary checkpoint every command accepts.
/// </summary>
public static class ImportCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "Weights: a .pt/.pth state dict (torch.save(model.state_dict())), .safetensors or .onnx." };
        var arch = new Option<string?>("--arch") { Description = "Built-in architecture the weights are for (see 'flipguard models')." };
        var archFile = new Option<string?>("--arch-file") { Description = "JSON description of the architecture (see 'flipguard models describe mlp --json' for the schema)." };
        var format = new Option<string?>("--format") { Description = "pt, safetensors or onnx (default: from the file extension)." };
        var dataset = new Option<string?>("--dataset", "-d") { Description = "Dataset the model classifies (gives the input shape and class count; default: the file's own, else mnist)." };
        var normalize = new Option<string>("--normalize")
        {
            Description = "Input normalisation the model was trained with: dataset (FlipGuard's statistics for the dataset), none (pixels in [0,1]) or MEAN:STD per channel, e.g. 0.5:0.5 or 0.485,0.456,0.406:0.229,0.224,0.225.",
            DefaultValueFactory = _ => "dataset",
        };
        var output = new Option<string?>("--output", "-o") { Description = "Checkpoint to write (default: FILE with extension .fgc)." };
        var limit = CommonOptions.Limit();
        var dataDir = CommonOptions.DataDir();
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var command = new Command("import", "Import PyTorch, safetensors or ONNX weights into a FlipGuard architecture and save a checkpoint.")
        {
            file, arch, archFile, format, dataset, normalize, output, limit, dataDir, threads, json,
        };
        command.SetAction(CommandRunner.Action((parse, _) =>
        {
            TorchSession.Configure(parse.GetValue(threads), "cpu");
            string path = parse.GetValue(file)!;
            if (parse.GetValue(arch) is not null && parse.GetValue(archFile) is not null)
                throw new FlipGuardException("give either --arch or --arch-file, not both");
            var weights = WeightFile.Read(path, parse.GetValue(format) is { } f ? WeightFormats.Parse(f) : null);
            string datasetName = parse.GetValue(dataset) ?? InteropMetadata.Dataset(weights.Metadata) ?? "mnist";
            using var data = LoadedDataset.Load(datasetName, parse.GetValue(dataDir),
                Normalizations.Parse(parse.GetValue(normalize)!, datasetName, weights, path), parse.GetValue(limit) is > 0 and var n ? n : null);
            var spec = Spec(parse.GetValue(arch), parse.GetValue(archFile), data);
            var (model, result) = ModelImporter.Import(weights, spec);
            using (model)
            {
                var m = result.Model;
                if (m.Channels != data.Shape.Channels || m.Height != data.Shape.Height || m.Width != data.Shape.Width || m.Classes != data.Classes)
                    throw new FlipGuardException($"{path} is for {m.Channels}x{m.Height}x{m.Width} inputs in {m.Classes} classes, dataset {datasetName} has {data.Shape} in {data.Classes}; pass --dataset");
                double accuracy = Evaluator.Accuracy(model, data.Test.Images, data.Test.Labels);
                string target = parse.GetValue(output) ?? Path.ChangeExtension(path, ".fgc");
                var meta = CheckpointFile.Save(target, model, new CheckpointMetadata
                {
                    Model = m, Dataset = datasetName, DatasetSource = data.Description,
                    NormalizationMean = data.Normalization.Mean, NormalizationStd = data.Normalization.Std,
                    CleanAccuracy = accuracy, CleanAccuracySamples = data.Test.Count,
                });
                var report = new ImportReport(target, result, datasetName, data.Test.Count, accuracy, meta.WeightsSha256);
                if (parse.GetValue(json)) { Output.WriteJson(report); return 0; }
                var table = Output.Table("imported", Markup.Escape(path));
                table.AddRow("format", result.Format);
                table.AddRow("architecture", Markup.Escape(m.ToString()));
                table.AddRow("tensors", result.Tensors.ToString("N0"));
                table.AddRow("parameters", result.Parameters.ToString("N0"));
                table.AddRow("test accuracy", $"{Output.Percent(accuracy)} on {data.Test.Count:N0} samples of {Markup.Escape(datasetName)}");
                table.AddRow("checkpoint", Markup.Escape(target));
                AnsiConsole.Write(table);
                if (result.StrippedPrefix is { } p) AnsiConsole.MarkupLine($"Dropped the prefix [bold]{Markup.Escape(p)}[/] from every tensor name.");
                if (result.Converted.Count > 0) AnsiConsole.MarkupLine($"Converted to float32: {Markup.Escape(string.Join(", ", result.Converted.Take(5)))}{(result.Converted.Count > 5 ? $" and {result.Converted.Count - 5} more" : "")}");
                if (result.Skipped.Count > 0) AnsiConsole.MarkupLine($"Kept at zero or ignored (batch-norm counters, not used at inference): {result.Skipped.Count}");
                return 0;
            }
        }));
        return command;
    }

    private static ModelSpec? Spec(string? arch, string? archFile, LoadedDataset data)
    {
        if (archFile is not null)
            return ModelSpec.Described(ArchitectureDescription.Load(archFile), data.Shape.Channels, data.Shape.Height, data.Shape.Width, data.Classes);
        if (arch is null) return null;
        var spec = new ModelSpec(arch, data.Shape.Channels, data.Shape.Height, data.Shape.Width, data.Classes);
        spec.Create().Dispose(); // unknown names and impossible shapes fail here, with the zoo's message
        return spec;
    }

    private sealed record ImportReport(string Checkpoint, ImportResult Import, string Dataset, int Samples, double Accuracy, string WeightsSha256);
}
