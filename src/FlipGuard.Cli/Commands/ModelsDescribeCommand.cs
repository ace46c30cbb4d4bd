using System.CommandLine;
using System.Globalization;
using FlipGuard.Checkpoints;
using FlipGuard.Core;
using FlipGuard.Models;
using FlipGuard.Models.Described;
using Spectre.Console;

namespace FlipGuard.Cli.Commands;

/// <summary>
/// <c>flipguard models describe TARGET</c>: validate and show an architecture description (a JSON file, a built-in
/// model or a checkpoint's), layer by layer with output shapes and parameter counts; <c>--json</c> prints the
/// description itself, a template for describing your own model.
/// </summary>
public static class ModelsDescribeCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var target = new Argument<string>("target") { Description = "A built-in model name, an architecture .json file or a .fgc checkpoint." };
        var input = new Option<string>("--input") { Description = "Input shape CxHxW for names and .json files.", DefaultValueFactory = _ => "1x28x28" };
        var classes = new Option<int>("--classes") { Description = "Number of classes for names and .json files.", DefaultValueFactory = _ => 10 }.Within(new NumericRange(2, 1_000_000));
        var json = new Option<bool>("--json") { Description = "Print the architecture description (JSON) instead of the layer table." };
        var command = new Command("describe", "Validate an architecture description and show its layers, shapes and parameters.") { target, input, classes, json };
        command.SetAction(CommandRunner.Action((parse, _) =>
        {
            TorchSession.Configure(0, "cpu");
            var spec = Resolve(parse.GetValue(target)!, parse.GetValue(input)!, parse.GetValue(classes));
            var description = ZooDescriptions.For(spec)
                ?? throw new FlipGuardException($"{spec.Architecture} has no description: its layers (a zero-padded strided shortcut) are not among the described layer types");
            var (model, layers) = SequentialBuilder.Build(description, spec.Channels, spec.Height, spec.Width, spec.Classes);
            model.Dispose();
            if (parse.GetValue(json)) { Console.Out.WriteLine(description.ToJson()); return 0; }
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(spec.ToString())}[/]");
            var table = Output.Table("layer", "type", "output", "parameters");
            foreach (var l in layers)
                table.AddRow(Markup.Escape(l.Path), l.Type, Markup.Escape($"[{string.Join(",", l.OutputShape)}]"), l.Parameters.ToString("N0", CultureInfo.InvariantCulture));
            table.AddRow("", "[bold]total[/]", "", layers.Sum(l => l.Parameters).ToString("N0", CultureInfo.InvariantCulture));
            AnsiConsole.Write(table);
            return 0;
        }));
        return command;
    }

    private static ModelSpec Resolve(string target, string input, int classes)
    {
        if (target.EndsWith(".fgc", StringComparison.OrdinalIgnoreCase)) return CheckpointFile.ReadMetadata(target).Model;
        var dims = input.Split('x', 'X');
        if (dims.Length != 3 || !dims.All(d => int.TryParse(d, out int v) && v > 0))
            throw new FlipGuardException($"--input must look like 1x28x28, got '{input}'");
        int c = int.Parse(dims[0], CultureInfo.InvariantCulture), h = int.Parse(dims[1], CultureInfo.InvariantCulture), w = int.Parse(dims[2], CultureInfo.InvariantCulture);
        if (target.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            return ModelSpec.Described(ArchitectureDescription.Load(target), c, h, w, classes);
        var spec = new ModelSpec(target, c, h, w, classes);
        spec.Create().Dispose();
        return spec;
    }
}
