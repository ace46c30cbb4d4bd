using FlipGuard.Cli;

return CommandRunner.Run(CliApp.CreateRoot(), args);
