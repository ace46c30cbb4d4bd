using System.CommandLine;
using FlipGuard.Sweeps;

namespace FlipGuard.Cli.Commands;

/// <summary><c>flipguard merge DIR...</c>: combine the outputs of a sharded sweep into the single-run summary.</summary>
public static class MergeCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var dirs = new Argument<string[]>("directories") { Description = "Output folders of 'flipguard sweep --shard K/N', one per shard.", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--output", "-o") { Description = "Folder for the merged summary.json and charts.", Required = true };
        var records = new Option<bool>("--records") { Description = "Also write records.csv with one line per flip." };
        var json = CommonOptions.Json();
        var command = new Command("merge", "Merge the shards of a sweep (checks they share one definition and cover every flip exactly once).")
        {
            dirs, output, records, json,
        };
        command.SetAction(CommandRunner.Action((parse, _) =>
        {
            var result = SweepMerge.Merge(parse.GetValue(dirs)!);
            string outDir = parse.GetValue(output)!;
            var (summary, files) = SweepOutput.Write(outDir, result, result.Definition.CheckpointSha256[..Math.Min(12, result.Definition.CheckpointSha256.Length)], parse.GetValue(records));
            if (parse.GetValue(json)) { Output.WriteJson(new { output = Path.GetFullPath(outDir), summary }); return 0; }
            SweepOutput.Render(summary, files, 0);
            return 0;
        }));
        return command;
    }
}
