using System.Collections.Concurrent;

namespace FlipGuard.Tests.Cli;

/// <summary>
/// Every command, given every kind of bad input file (missing, empty, truncated, text, a folder, random bytes) and
/// structured flags with impossible values, through the real CLI process (issue 21): exit code 2 and exactly one line
/// on standard error, never an internal error, a stack trace, a crash or a hang. Numeric and enumerated flags at their
/// extremes are covered by <see cref="OptionRangeTests"/> at the parser, where every such flag is walked.
/// </summary>
[Trait("Category", TestCategories.EndToEnd)]
public class HostileCommandLineTests
{
    private static readonly string[] BadKinds = ["missing", "empty", "truncated", "text", "folder", "random"];

    /// <summary>Command lines with <c>{bad}</c> where the bad input goes, <c>{good}</c> a valid checkpoint, <c>{pt}</c> its export, <c>{sweep}</c> a finished sweep, <c>{out}</c> a fresh output path.</summary>
    private static readonly string[] FileCommands =
    [
        "eval {bad}", "hessian {bad}", "landscape {bad} -o {out}", "sweep {bad} -o {out}", "attack {bad} -o {out}", "inject {bad} --counts 1 -o {out}",
        "export {bad} -o {out}.pt", "defend {bad} -o {out}", "protection-curve {bad} --sweep {sweep}", "protection-curve {good} --sweep {bad}",
        "compare {bad} {good} -o {out}", "compare {good} {bad} -o {out}", "import {bad}", "import {bad} --format pt", "import {bad} --format safetensors",
        "import {bad} --format onnx", "study {bad}", "report {bad}", "merge {bad} -o {out}", "models describe {bad}", "train --init {bad} --epochs 1 -o {out}.fgc",
        "data convert-npm {bad} -o {out}", "train --epochs 1 -d fashion-mnist --data-dir {bad} -o {out}.fgc", "eval {good} --data-dir {bad}",
    ];

    private static readonly string[] FlagCommands =
    [
        "sweep {good} --bits bogus -o {out}", "sweep {good} --bits 32 -o {out}", "sweep {good} --bits -1 -o {out}", "sweep {good} --bits 0-40 -o {out}",
        "attack {good} --bits exponent,bogus -o {out}", "sweep {good} --params bogus -o {out}", "sweep {good} --params sample:-1 -o {out}",
        "sweep {good} --params sample:0 -o {out}", "sweep {good} --params fc9 -o {out}", "sweep {good} --shard 3/2 -o {out}", "sweep {good} --shard 1/0 -o {out}",
        "sweep {good} --shard a/b -o {out}", "train --reg trace --hessian-layers bogus:1 --epochs 1 -o {out}.fgc", "train --reg trace --hessian-layers sample:0 --epochs 1 -o {out}.fgc",
        "inject {good} --rates 2 -o {out}", "inject {good} --rates NaN -o {out}", "inject {good} --counts -1 -o {out}", "inject {good} --rates 0.1,x -o {out}",
        "protection-curve {good} --sweep {sweep} --fractions 2", "sweep {good} --encoding bogus -o {out}", "import {pt} --normalize bogus",
        "attack {good} --float32 --encoding int8 -o {out}", "study --preset bogus", "import {pt} --arch mlp --arch-file x.json", "attack --int8 {good}",
        "train --reg sam --lambda 0.1 --epochs 1 -o {out}.fgc", "train --reg trace --warmup-epochs 3 --epochs 2 -o {out}.fgc", "train --warmup-epochs 1 --epochs 2 -o {out}.fgc",
        "train --resume --fresh --epochs 1 -o {out}.fgc", "train --momentum NaN", "train --epochs 99999999999", "sweep {good} --limit -5 -o {out}",
        "train --epochs 1 -o {folder}", "train --epochs 1 -o /proc/flipguard.fgc", "export {good} -o {folder}", "sweep {good} -o /proc/flipguard-sweep",
    ];

    [Fact]
    public void EveryCommandGivesOneLineAndExitCode2ForBadInput()
    {
        using var dir = new TempDirectory();
        string good = dir.File("good.fgc"), pt = dir.File("good.pt"), sweep = dir.File("sweep");
        Assert.Equal(0, CliProcess.Run("train", "-m", "mlp", "--epochs", "1", "--train-limit", "500", "--threads", "1", "-o", good).ExitCode);
        Assert.Equal(0, CliProcess.Run("export", good, "-o", pt).ExitCode);
        Assert.Equal(0, CliProcess.Run("sweep", good, "--bits", "30", "--params", "sample:50", "--limit", "100", "-o", sweep, "--json").ExitCode);
        var bad = new Dictionary<string, string>
        {
            ["missing"] = dir.File("missing.fgc"), ["empty"] = dir.File("empty"), ["truncated"] = dir.File("truncated"), ["text"] = dir.File("text"),
            ["folder"] = Directory.CreateDirectory(dir.File("folder")).FullName, ["random"] = dir.File("random"),
        };
        File.WriteAllBytes(bad["empty"], []);
        File.WriteAllBytes(bad["truncated"], File.ReadAllBytes(good)[..100]);
        File.WriteAllText(bad["text"], "hello world\n");
        var random = new byte[4096];
        new Random(21).NextBytes(random);
        File.WriteAllBytes(bad["random"], random);

        int n = 0;
        var cases = FileCommands.SelectMany(c => BadKinds.Select(k => (Because: k, Line: c.Replace("{bad}", bad[k], StringComparison.Ordinal))))
            .Concat(FlagCommands.Select(c => (Because: "flag", Line: c)))
            .Select(c => (c.Because, Args: c.Line.Replace("{good}", good, StringComparison.Ordinal).Replace("{pt}", pt, StringComparison.Ordinal)
                .Replace("{sweep}", sweep, StringComparison.Ordinal).Replace("{folder}", bad["folder"], StringComparison.Ordinal)
                .Replace("{out}", dir.File($"out{Interlocked.Increment(ref n)}"), StringComparison.Ordinal).Split(' ')))
            .ToList();
        var failures = new ConcurrentBag<string>();
        Parallel.ForEach(cases, new ParallelOptions { MaxDegreeOfParallelism = 2 }, c =>
        {
            var r = CliProcess.Run(c.Args);
            var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (r.ExitCode != 2 || lines.Length != 1 || r.Stderr.Contains("internal error", StringComparison.Ordinal))
                failures.Add($"{c.Because}: flipguard {string.Join(' ', c.Args)} → exit {r.ExitCode}, {lines.Length} lines: {string.Join(" | ", lines.Take(2))}");
        });
        Assert.True(cases.Count > 150, $"{cases.Count} cases");
        Assert.True(failures.IsEmpty, string.Join("\n", failures.Order()));
    }
}
