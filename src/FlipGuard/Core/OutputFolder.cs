namespace FlipGuard.Core;

/// <summary>
/// Creates the folders FlipGuard writes into, turning every way that can fail (a file in the way, no permission, a
/// read-only or pseudo file system such as <c>/proc</c>) into one sentence naming the folder. Before, an unwritable
/// output was an "internal error" with exit code 1 in sweep, train, export and study.
/// </summary>
public static class OutputFolder
{
    /// <summary>Creates <paramref name="path"/> and its parents when missing; returns it.</summary>
    /// <exception cref="FlipGuardException">The folder cannot be created.</exception>
    public static string Create(string path)
    {
        try
        {
            Directory.CreateDirectory(path);
            return path;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new FlipGuardException($"cannot create the folder {path}: {Reason(e)}");
        }
    }

    /// <summary>A short reason for a failed file-system call, without the path .NET repeats in its messages.</summary>
    public static string Reason(Exception e) => e switch
    {
        UnauthorizedAccessException => "permission denied",
        DirectoryNotFoundException => "a folder on the way does not exist",
        PathTooLongException => "the path is too long",
        IOException io when io.HResult == 28 || io.Message.Contains("No space left", StringComparison.Ordinal) => "no space left on the device",
        _ => e.Message.Split('\n')[0],
    };
}
