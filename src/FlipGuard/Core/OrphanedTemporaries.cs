using System.Diagnostics;
using System.Text.RegularExpressions;

namespace FlipGuard.Core;

/// <summary>
/// Deletes the temporary files <see cref="AtomicFile"/> left behind in a folder when a writer was killed mid-save
/// (<c>.NAME.PID-RANDOM.tmp</c> whose process no longer runs), so a killed save leaves nothing after the next run
/// writes beside it. Files of live processes, and anything not named like ours, are never touched.
/// </summary>
public static partial class OrphanedTemporaries
{
    [GeneratedRegex(@"^\..+\.(?<pid>\d{1,10})-[0-9a-f]{16}\.tmp$", RegexOptions.CultureInvariant)]
    private static partial Regex TemporaryName();

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> Swept = new(StringComparer.Ordinal);

    /// <summary>
    /// Removes the orphans in <paramref name="folder"/> the first time this process writes there (orphans only come
    /// from earlier, dead writers, and a sweep's journal folder sees thousands of writes); returns how many it removed.
    /// Never throws for a file it cannot remove.
    /// </summary>
    public static int RemoveOnce(string folder) => Swept.TryAdd(folder, true) ? Remove(folder) : 0;

    /// <summary>Removes the orphans in <paramref name="folder"/> now; returns how many it removed.</summary>
    public static int Remove(string folder)
    {
        int removed = 0;
        string[] candidates;
        try { candidates = Directory.GetFiles(folder, ".*.tmp"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return 0; }
        foreach (string file in candidates)
        {
            var match = TemporaryName().Match(Path.GetFileName(file));
            if (!match.Success || !int.TryParse(match.Groups["pid"].Value, out int pid) || IsRunning(pid)) continue;
            try
            {
                File.Delete(file);
                removed++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return removed;
    }

    private static bool IsRunning(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }
}
