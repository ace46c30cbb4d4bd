using System.CommandLine;
using FlipGuard.Core;
using FlipGuard.Faults.Encodings;
using FlipGuard.Faults.Evaluation;
using FlipGuard.Faults.Targets;
using FlipGuard.Sweeps;
using FlipGuard.Sweeps.Storage;
using FlipGuard.Workflows;

namespace FlipGuard.Cli.Commands;

/// <summary><c>flipguard sweep CKPT</c>: flip every selected bit of every selected weight, one at a time, and count what breaks.</summary>
public static class SweepCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var checkpoint = CommonOptions.Checkpoint();
        var dataset = CommonOptions.DatasetOverride();
        var bits = new Option<string>("--bits") { Description = "Bits to flip: all, exponent, exponent-msb, sign, mantissa, or positions like 0,5,30-31 (0 = mantissa LSB, 31 = sign; int8: 0-7, 7 = sign).", DefaultValueFactory = _ => "all" };
        var parameters = new Option<string>("--params") { Description = "Entries to flip: all, weights, layer:NAME[,NAME], sample:N, or SCOPE/sample:N.", DefaultValueFactory = _ => "all" };
        var limit = CommonOptions.Limit();
        var encodingOptions = new EncodingOptions(WeightEncodings.Float32, "--int8", WeightEncodings.Int8, "Quantise weight tensors to int8 (symmetric, per tensor) and flip bits of the integers; biases stay float32.");
        var naive = new Option<bool>("--naive") { Description = "Use the naive oracle evaluator (one full forward pass per flip)." };
        var chunk = new Option<int>("--chunk") { Description = "Samples per forward pass. Counts can differ at the last ulp between chunk sizes, so keep the default unless comparing.", DefaultValueFactory = _ => NaiveFlipEvaluator.DefaultChunk }.Within(NumericRange.Positive);
        var output = new Option<string?>("--output", "-o") { Description = "Output folder (default runs/sweep-<checkpoint name>)." };
        var resume = new Option<bool>("--resume") { Description = "Continue the journal in the output folder (after a crash, kill or Ctrl+C)." };
        var shard = new Option<string>("--shard") { Description = "Evaluate part K of N (flips with ordinal % N == K); combine parts with 'flipguard merge'.", DefaultValueFactory = _ => "0/1" };
        var records = new Option<bool>("--records") { Description = "Also write records.csv with one line per flip." };
        var blockSize = new Option<int>("--block-size") { Description = "Flips per journal block (the most work a kill can lose).", DefaultValueFactory = _ => 4096 }.Within(NumericRange.Positive);
        var seed = CommonOptions.Seed();
        var dataDir = CommonOptions.DataDir();
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var command = new Command("sweep", "Flip each selected bit of each selected parameter on its own and measure the accuracy drop (RAD) on the test set.")
        {
            checkpoint, dataset, bits, parameters, limit, naive, chunk, output, resume, shard, records, blockSize, seed, dataDir, threads, json,
        };
        foreach (var o in encodingOptions.All) command.Options.Add(o);
        command.SetAction(CommandRunner.Action((parse, token) =>
        {
            var encoding = encodingOptions.Resolve(parse);
            bool quiet = parse.GetValue(json);
            var bitSelection = BitSelection.Parse(parse.GetValue(bits)!, encoding);
            var paramSelection = ParameterSelection.Parse(parse.GetValue(parameters)!);
            var part = SweepShard.Parse(parse.GetValue(shard)!);
            long seedValue = parse.GetValue(seed);
            int chunkSize = parse.GetValue(chunk);
            TorchSession.Configure(parse.GetValue(threads), "cpu");
            string path = parse.GetValue(checkpoint)!;
            string outDir = parse.GetValue(output) ?? Path.Combine("runs", "sweep-" + Path.GetFileNameWithoutExtension(path));
            using var c = CheckpointWithData.Load(path, parse.GetValue(dataset), parse.GetValue(dataDir), parse.GetValue(limit));
            using var sweep = new SweepWorkflow(c.UnderTest(encoding), chunkSize, parse.GetValue(naive));
            var options = new SweepOptions(bitSelection, paramSelection)
            {
                Seed = unchecked((ulong)seedValue),
                BlockSize = parse.GetValue(blockSize),
                Shard = part,
                JournalDirectory = SweepJournal.PathIn(outDir),
                Resume = parse.GetValue(resume),
            };
            var result = ProgressView.Run(quiet, "sweep", 1, bar => sweep.Run(options, progress:
                new ProgressRelay<SweepProgress>(p =>
                {
                    bar.Value = p.Total == 0 ? 1 : (double)p.Done / p.Total;
                    bar.Description = $"sweep {p.Done:N0}/{p.Total:N0} flips · {p.FlipsPerSecond:N0} flips/s · ETA {Eta(p.Remaining)}";
                }), cancel: token));
            var (summary, files) = SweepOutput.Write(outDir, result, c.Metadata.Model.Architecture, parse.GetValue(records));
            if (quiet) { Output.WriteJson(new { checkpoint = c.Path, output = Path.GetFullPath(outDir), seconds = result.Seconds, summary }); return 0; }
            SweepOutput.Render(summary, files, result.Seconds);
            return 0;
        }));
        return command;
    }

    private static string Eta(TimeSpan? t) => t is not { } v || v.TotalDays > 99 ? "?" : v.TotalHours >= 1 ? $"{(int)v.TotalHours}h{v.Minutes:D2}m" : $"{v.Minutes}m{v.Seconds:D2}s";
}
