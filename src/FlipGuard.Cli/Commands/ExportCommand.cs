using FlipGuard.Core;
using System.CommandLine;
using FlipGuard.Checkpoints;
using FlipGuard.Interop;
using Spectre.Console;

namespace FlipGuard.Cli.Commands;

/// <summary><c>flipguard export CKPT -o FILE</c>: write a checkpoint's weights as a PyTorch state dict, safetensors or ONNX.</summary>
public static class ExportCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var checkpoint = CommonOptions.Checkpoint();
        var output = new Option<string>("--output", "-o") { Description = "File to write (.pt, .safetensors or .onnx).", Required = true };
        var format = new Option<string?>("--format") { Description = "pt, safetensors or onnx (default: from the output's extension)." };
        var json = CommonOptions.Json();
        var command = new Command("export", "Export a checkpoint's weights for PyTorch (state dict), safetensors or ONNX (inference graph).") { checkpoint, output, format, json };
        command.SetAction(CommandRunner.Action((parse, _) =>
        {
            TorchSession.Configure(0, "cpu");
            string target = parse.GetValue(output)!;
            var f = parse.GetValue(format) is { } name ? WeightFormats.Parse(name) : WeightFormats.FromPath(target);
            string source = parse.GetValue(checkpoint)!;
            AtomicFile.CheckWritable(target, createFolder: true);
            var result = ModelExporter.Export(source, f, target);
            if (parse.GetValue(json)) { Output.WriteJson(result); return 0; }
            AnsiConsole.MarkupLine($"Wrote [bold]{Markup.Escape(target)}[/] ({result.Format}, {result.Tensors} tensors, {result.Bytes:N0} bytes) from {Markup.Escape(source)}.");
            if (f == WeightFormat.PyTorch)
            {
                var meta = CheckpointFile.ReadMetadata(source);
                AnsiConsole.MarkupLine(meta.Model.Description is null
                    ? $"Load it in PyTorch into a module with the same parameter names as FlipGuard's {Markup.Escape(meta.Model.Architecture)} ('flipguard models describe {Markup.Escape(meta.Model.Architecture)}' lists them)."
                    : $"Load it in PyTorch: 'flipguard models describe {Markup.Escape(source)} --json > arch.json', then tools/python/flipguard_arch.py builds the module.");
            }
            return 0;
        }));
        return command;
    }
}
