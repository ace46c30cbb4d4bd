using System.CommandLine;
using FlipGuard.Cli;
using FlipGuard.Cli.Commands;

var root = new RootCommand("FlipGuard: train neural networks that survive bit flips in their weights, and measure how many bits still matter.")
{
    TrainCommand.Create(),
    EvalCommand.Create(),
    ModelsCommand.Create(),
    DataCommand.Create(),
};
return CommandRunner.Run(root, args);
