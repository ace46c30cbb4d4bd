using System.CommandLine;
using FlipGuard.Core;

namespace FlipGuard.Cli;

/// <summary>Options shared by several commands, defined once so their names and help read the same everywhere.</summary>
public static class CommonOptions
{
    /// <summary><c>--json</c>: machine-readable output.</summary>
    public static Option<bool> Json() => new("--json") { Description = "Print the result as JSON instead of tables (progress bars are suppressed)." };

    /// <summary><c>--threads</c>: torch intra-op threads.</summary>
    public static Option<int> Threads() => new Option<int>("--threads")
    {
        Description = "CPU threads for torch (default: all cores). Results are reproducible for a fixed thread count.",
    }.Within(new NumericRange(0, 1024));

    /// <summary><c>--data-dir</c>: a directory holding the dataset's files.</summary>
    public static Option<string?> DataDir() => new("--data-dir") { Description = "Directory holding the dataset's files (IDX or CIFAR-10 binary), itself or in a sub-folder named after the dataset; the only place looked in." };

    /// <summary>The checkpoint argument.</summary>
    public static Argument<string> Checkpoint() => new("checkpoint") { Description = "A .fgc checkpoint written by 'flipguard train'." };

    /// <summary><c>--dataset</c> on analysis commands: override the checkpoint's dataset.</summary>
    public static Option<string?> DatasetOverride() => new("--dataset", "-d") { Description = "Use this dataset's test split instead of the one the checkpoint was trained on." };

    /// <summary><c>--limit</c>: first N test samples.</summary>
    public static Option<int> Limit() => new Option<int>("--limit") { Description = "Use the first N test samples only (0 = all)." }.Within(NumericRange.NonNegative);

    /// <summary><c>--seed</c> of an analysis's random choices.</summary>
    public static Option<long> Seed() => new Option<long>("--seed") { Description = "Seed of the random choices (probes, start vectors, samples).", DefaultValueFactory = _ => 0 }.Within(NumericRange.AnyLong);

    /// <summary><c>--device</c>: cpu or cuda.</summary>
    public static Option<string> Device() => new Option<string>("--device")
    {
        Description = "cpu (default) or cuda (needs TorchSharp's CUDA runtime package; see README).",
        DefaultValueFactory = _ => "cpu",
    }.AcceptOnlyFromAmong("cpu", "cuda");
}
