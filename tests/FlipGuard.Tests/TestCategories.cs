namespace FlipGuard.Tests;

/// <summary>
/// Trait values for <c>[Trait("Category", …)]</c>. <see cref="EndToEnd"/> marks the tests that start child processes (the CLI,
/// a browser), run whole studies or otherwise a complete workflow end to end. CI runs everything (<c>dotnet test</c>); the
/// inner loop leaves them out: <c>dotnet test --filter "Category!=EndToEnd"</c>.
/// </summary>
internal static class TestCategories
{
    public const string EndToEnd = "EndToEnd";
}
