using FlipGuard.Models.Zoo;

namespace FlipGuard.Tests;

/// <summary>
/// Builds a test module with weights drawn from one seed. torch's generator is process-wide, so this takes the same
/// lock as the library's seeded constructions (<see cref="ModelZoo.Seeded"/>): a test building a zoo model on another
/// thread would otherwise interleave its draws with these (a flaky twin with other weights).
/// </summary>
internal static class SeededConstruction
{
    public static T Create<T>(long seed, Func<T> make) => ModelZoo.Seeded(seed, make);
}
