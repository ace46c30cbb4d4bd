namespace FlipGuard.Data;

/// <summary>
/// Where the user wants datasets looked for, kept as plain paths so the CLI can map flags onto it one to one.
/// </summary>
/// <param name="Directory">A folder the user points at explicitly; searched first (itself, then its sub-folder named after the dataset).</param>
/// <param name="CacheDirectory">Root of the download cache; null means <see cref="DefaultCacheRoot"/>.</param>
public sealed record DataOptions(string? Directory = null, string? CacheDirectory = null)
{
    /// <summary>Environment variable that moves the default cache root, for shared or read-only home folders.</summary>
    public const string CacheEnvironmentVariable = "FLIPGUARD_DATA";

    /// <summary>The cache root in effect: <see cref="CacheDirectory"/>, else <see cref="DefaultCacheRoot"/>.</summary>
    public string CacheRoot => CacheDirectory ?? DefaultCacheRoot();

    /// <summary>The cache folder for one dataset: <c>CacheRoot/name</c>; downloads go there too.</summary>
    public string CacheFor(string name) => Path.Combine(CacheRoot, name);

    /// <summary><c>$FLIPGUARD_DATA</c> when set, else <c>~/.cache/flipguard/datasets</c>.</summary>
    public static string DefaultCacheRoot()
    {
        string? env = Environment.GetEnvironmentVariable(CacheEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env)) return env;
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(home, ".cache", "flipguard", "datasets");
    }
}
