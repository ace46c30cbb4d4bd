using System.Globalization;

namespace FlipGuard.Core;

/// <summary>
/// An exclusive hold on an output folder (a study, a sweep or attack journal) for as long as one run writes there, so
/// a second run on the same folder is told "in use by PID N" instead of dying with an internal error half-way (no
/// data was ever corrupted, thanks to the atomic writes, but the loser's message said nothing useful). The hold is an
/// advisory <c>flock</c> on <c>.flipguard.lock</c> (what .NET's <see cref="FileShare.None"/> takes on Unix; a share
/// lock on Windows), which the kernel releases when the holder dies, so a killed run never leaves a stale lock; the
/// holder's PID is kept beside it in <c>.flipguard.lock.owner</c> for the message.
/// </summary>
public sealed class FolderLock : IDisposable
{
    /// <summary>The lock file's name inside the folder.</summary>
    public const string FileName = ".flipguard.lock";

    private readonly FileStream stream;

    private FolderLock(FileStream stream) => this.stream = stream;

    /// <summary>Creates <paramref name="folder"/> if needed and takes it for this process.</summary>
    /// <param name="folder">The folder to hold.</param>
    /// <param name="what">What holds it, for the message ("study", "sweep journal").</param>
    /// <exception cref="FlipGuardException">Another process holds it, or the folder cannot be written.</exception>
    public static FolderLock Acquire(string folder, string what)
    {
        OutputFolder.Create(folder);
        string path = Path.Combine(folder, FileName);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException) when (File.Exists(path))
        {
            string owner = ReadOwner(path + ".owner");
            throw new FlipGuardException($"{folder}: the {what} is in use by {owner}; wait for that run to finish (or stop it), or choose another output folder");
        }
        catch (UnauthorizedAccessException e)
        {
            throw new FlipGuardException($"cannot write {path}: {OutputFolder.Reason(e)}");
        }
        try
        {
            AtomicFile.WriteText(path + ".owner", $"PID {Environment.ProcessId.ToString(CultureInfo.InvariantCulture)} since {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss} UTC\n");
        }
        catch
        {
            stream.Dispose();
            throw;
        }
        return new FolderLock(stream);
    }

    private static string ReadOwner(string ownerPath)
    {
        try { return File.ReadAllText(ownerPath).Trim() is { Length: > 0 } text ? "another run (" + text + ")" : "another run"; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return "another run"; }
    }

    /// <summary>Releases the hold (the files stay; the next holder overwrites the owner line).</summary>
    public void Dispose() => stream.Dispose();
}
