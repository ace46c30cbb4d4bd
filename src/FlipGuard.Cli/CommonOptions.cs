using System.CommandLine;

namespace FlipGuard.Cli;

/// <summary>Options shared by several commands, defined once so their names and help read the same everywhere.</summary>
public static class CommonOptions
{
    /// <summary><c>--json</c>: machine-readable output.</summary>
    public static Option<bool> Json() => new("--json") { Description = "Print the result as JSON instead of tables (progress bars are suppressed)." };

    /// <summary><c>--threads</c>: torch intra-op threads.</summary>
    public static Option<int> Threads() => new("--threads")
    {
        Description = "CPU threads for torch (default: all cores). Results are reproducible for a fixed thread count.",
    };

    /// <summary><c>--data-dir</c>: a directory holding the dataset's files.</summary>
    public static Option<string?> DataDir() => new("--data-dir") { Description = "Directory holding the dataset's files (IDX or CIFAR-10 binary); searched first." };

    /// <summary><c>--device</c>: cpu or cuda.</summary>
    public static Option<string> Device() => new Option<string>("--device")
    {
        Description = "cpu (default) or cuda (needs TorchSharp's CUDA runtime package; see README).",
        DefaultValueFactory = _ => "cpu",
    }.AcceptOnlyFromAmong("cpu", "cuda");
}
