using System.CommandLine;
using FlipGuard.Models;
using FlipGuard.Models.Zoo;
using Spectre.Console;

namespace FlipGuard.Cli.Commands;

/// <summary><c>flipguard models</c>: the architectures and their parameter counts on MNIST- and CIFAR-sized inputs.</summary>
public static class ModelsCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var json = CommonOptions.Json();
        var command = new Command("models", "List the built-in architectures with their parameter counts ('models describe' shows one layer by layer).") { json, ModelsDescribeCommand.Create() };
        command.SetAction(CommandRunner.Action((parse, _) =>
        {
            var rows = ModelZoo.Architectures.Select(a => new ModelRow(
                a.Name, a.Description,
                Count(new ModelSpec(a.Name, 1, 28, 28, 10)),
                Count(new ModelSpec(a.Name, 3, 32, 32, 10)))).ToList();
            if (parse.GetValue(json)) { Output.WriteJson(rows); return 0; }
            var table = Output.Table("model", "parameters (1×28×28)", "parameters (3×32×32)", "what it is");
            foreach (var r in rows)
                table.AddRow(r.Name, r.ParametersMnist?.ToString("N0") ?? "-", r.ParametersCifar?.ToString("N0") ?? "-", Markup.Escape(r.Description));
            AnsiConsole.Write(table);
            return 0;
        }));
        return command;
    }

    private static long? Count(ModelSpec spec)
    {
        using var model = spec.Create();
        return ModelZoo.ParameterCount(model);
    }

    private sealed record ModelRow(string Name, string Description, long? ParametersMnist, long? ParametersCifar);
}
