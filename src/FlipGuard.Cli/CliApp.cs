using System.CommandLine;
using FlipGuard.Cli.Commands;

namespace FlipGuard.Cli;

/// <summary>The <c>flipguard</c> command tree.</summary>
public static class CliApp
{
    /// <summary>Builds the root command with every subcommand.</summary>
    public static RootCommand CreateRoot() => new("FlipGuard: train neural networks that survive bit flips in their weights, and measure how many bits still matter.")
    {
        TrainCommand.Create(),
        EvalCommand.Create(),
        ModelsCommand.Create(),
        DataCommand.Create(),
        HessianCommand.Create(),
        LandscapeCommand.Create(),
        SweepCommand.Create(),
        MergeCommand.Create(),
        AttackCommand.Create(),
        InjectCommand.Create(),
        ImportCommand.Create(),
        ExportCommand.Create(),
        StudyCommand.Create(),
        ReportCommand.Create(),
        CompareCommand.Create(),
        DefendCommand.Create(),
        ProtectionCurveCommand.Create(),
    };
}
