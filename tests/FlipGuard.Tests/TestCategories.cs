namespace FlipGuard.Tests;

/// <summary>
/// Trait values for <c>[Trait("Category", …)]</c>. CI runs everything (<c>dotnet test</c>); the inner loop leaves both
/// out: <c>dotnet test --filter "Category!=EndToEnd&amp;Category!=Slow"</c>.
/// </summary>
internal static class TestCategories
{
    /// <summary>Tests that start child processes (the CLI, a browser), run whole studies or otherwise a complete workflow end to end.</summary>
    public const string EndToEnd = "EndToEnd";

    /// <summary>
    /// In-process tests of more than about 5 s on 2 cores: the exhaustive flip-for-flip oracle comparisons of the fast
    /// evaluators (thousands of naive forward passes), the many-probe Hessian estimates, the BFA on LeNet-5.
    /// </summary>
    public const string Slow = "Slow";
}
