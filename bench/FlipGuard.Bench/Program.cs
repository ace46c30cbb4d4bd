using FlipGuard.Bench;
using FlipGuard.Core;

// Benchmarks and reproducible result tables. Each prints Markdown to stdout; see docs/benchmarks.md and docs/results.md.
try
{
    TorchRuntime.EnsureInitialized();
    string command = args.Length > 0 ? args[0] : "";
    string[] rest = args.Skip(1).ToArray();
    return command switch
    {
        "overhead" => RegularizerOverhead.Run(rest),
        "hessian-table" => HessianTable.Run(rest),
        "leak-check" => LeakCheck.Run(rest),
        "sweep-speed" => SweepSpeed.Run(rest),
        "sampled-speed" => SampledSweepSpeed.Run(rest),
        "conv-speed" => ConvolutionSweepSpeed.Run(rest),
        "sweep-memory" => SweepMemory.Run(rest),
        "defense-overhead" => DefenseOverheadBench.Run(rest),
        _ => Usage(),
    };
}
catch (FlipGuardException e)
{
    Console.Error.WriteLine($"bench: error: {e.Message}");
    return 2;
}

static int Usage()
{
    Console.Error.WriteLine("usage: dotnet run --project bench/FlipGuard.Bench -c Release -- overhead|hessian-table|leak-check|sweep-speed|sampled-speed|conv-speed|sweep-memory|defense-overhead [options]");
    return 2;
}
