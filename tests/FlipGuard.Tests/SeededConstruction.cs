using static TorchSharp.torch;

namespace FlipGuard.Tests;

/// <summary>Builds a test module with weights drawn from one seed; torch's generator is process-wide, so one lock guards it.</summary>
internal static class SeededConstruction
{
    private static readonly object Gate = new();

    public static T Create<T>(long seed, Func<T> make)
    {
        lock (Gate)
        {
            FlipGuard.Core.TorchRuntime.EnsureInitialized();
            manual_seed(seed);
            return make();
        }
    }
}
