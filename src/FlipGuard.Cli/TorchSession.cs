using FlipGuard.Core;
using TorchSharp;

namespace FlipGuard.Cli;

/// <summary>Applies the process-wide torch settings a command asked for (threads, device).</summary>
public static class TorchSession
{
    /// <summary>Sets the thread count (0 = leave torch's default), checks that the device exists and returns it.</summary>
    public static torch.Device Configure(int threads, string device)
    {
        TorchRuntime.EnsureInitialized();
        if (threads < 0) throw new FlipGuardException($"--threads must be ≥ 0, got {threads}");
        if (threads > 0) torch.set_num_threads(threads);
        if (device == "cuda" && !torch.cuda.is_available())
            throw new FlipGuardException("--device cuda: no CUDA runtime is available (this build references libtorch CPU; see the README's CUDA section)");
        return device == "cuda" ? torch.CUDA : torch.CPU;
    }
}
