using System.Text;

namespace FlipGuard.Core;

/// <summary>
/// The one way FlipGuard writes a file, so that a crash, <c>kill -9</c> or power cut at any moment leaves either the
/// old file or the complete new one, never a torn one — which is what lets a killed sweep, attack or training run
/// resume to exactly the uninterrupted result, and what keeps a reader from ever seeing half a checkpoint or report.
/// Every entry point does the same five steps:
/// <list type="number">
/// <item>create a temporary file in the target's own folder (a rename is only atomic within one file system), under a
/// name no other writer uses (<c>.NAME.PID-RANDOM.tmp</c>, created exclusively; hidden, and matched by the journals'
/// <c>*.tmp</c> clean-up but not by their <c>block-*</c> / <c>unit-*</c> patterns);</item>
/// <item>write the content;</item>
/// <item>flush it and fsync the file, so its bytes are on disk before its name is;</item>
/// <item>rename it over the target (atomic on POSIX and NTFS);</item>
/// <item>fsync the folder, so the rename itself survives a power cut (<see cref="FolderFlush"/>: on Linux and macOS
/// the folder is opened and fsynced; on Windows the step is skipped — there is no ordinary way to flush a directory
/// there, and NTFS commits the rename as one journaled metadata change).</item>
/// </list>
/// If writing throws, the temporary file is deleted and the target is untouched. Text is UTF-8 without a byte-order
/// mark, as <see cref="File.WriteAllText(string, string?)"/> and <see cref="StreamWriter"/> write it.
/// </summary>
public static class AtomicFile
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Replaces <paramref name="path"/> with <paramref name="bytes"/>.</summary>
    /// <param name="path">The target file.</param>
    /// <param name="bytes">Its new content.</param>
    /// <param name="createFolder">Create the target's folder if it is missing; otherwise a missing folder is an error.</param>
    /// <exception cref="FlipGuardException">The folder does not exist and <paramref name="createFolder"/> is off.</exception>
    public static void Write(string path, ReadOnlySpan<byte> bytes, bool createFolder = false)
    {
        using var pending = PendingFile.Begin(path, createFolder);
        pending.Stream.Write(bytes);
        pending.Commit();
    }

    /// <summary>Replaces <paramref name="path"/> with <paramref name="text"/> (UTF-8, no byte-order mark).</summary>
    /// <inheritdoc cref="Write(string, ReadOnlySpan{byte}, bool)"/>
    public static void WriteText(string path, string text, bool createFolder = false)
    {
        using var pending = PendingFile.Begin(path, createFolder);
        pending.Stream.Write(Utf8.GetBytes(text));
        pending.Commit();
    }

    /// <summary>
    /// Replaces <paramref name="path"/> with what <paramref name="write"/> writes to the stream it is given (for
    /// content produced piece by piece: zip archives, tensors). The callback must not close the stream; if it throws,
    /// the old file stays as it was.
    /// </summary>
    /// <inheritdoc cref="Write(string, ReadOnlySpan{byte}, bool)"/>
    public static void Write(string path, Action<Stream> write, bool createFolder = false)
    {
        using var pending = PendingFile.Begin(path, createFolder);
        write(pending.Stream);
        pending.Commit();
    }

    /// <summary>
    /// Replaces <paramref name="path"/> with the text <paramref name="write"/> writes (UTF-8, no byte-order mark, the
    /// platform's line ending for <c>WriteLine</c>), for line-by-line output such as CSV files.
    /// </summary>
    /// <inheritdoc cref="Write(string, Action{Stream}, bool)"/>
    public static void WriteText(string path, Action<TextWriter> write, bool createFolder = false)
    {
        using var pending = PendingFile.Begin(path, createFolder);
        using (var writer = new StreamWriter(pending.Stream, Utf8, bufferSize: -1, leaveOpen: true)) write(writer);
        pending.Commit();
    }

    /// <summary>The asynchronous form of <see cref="Write(string, Action{Stream}, bool)"/>, for content that arrives over the network.</summary>
    /// <inheritdoc cref="Write(string, Action{Stream}, bool)"/>
    public static async Task WriteAsync(string path, Func<Stream, CancellationToken, Task> write, bool createFolder = false, CancellationToken cancellationToken = default)
    {
        using var pending = PendingFile.Begin(path, createFolder);
        await write(pending.Stream, cancellationToken).ConfigureAwait(false);
        pending.Commit();
    }

    /// <summary>
    /// Checks, before long work starts, that <paramref name="path"/> could be written: the same steps as a write up
    /// to the temporary file, which is then removed. A training run once finished all its epochs before learning that
    /// its <c>-o</c> named a folder.
    /// </summary>
    /// <inheritdoc cref="Write(string, ReadOnlySpan{byte}, bool)"/>
    public static void CheckWritable(string path, bool createFolder = false)
    {
        using var pending = PendingFile.Begin(path, createFolder);
    }

    /// <summary>A temporary file on its way to becoming the target; disposing it before <see cref="Commit"/> abandons it.</summary>
    private sealed class PendingFile : IDisposable
    {
        private readonly string target, folder, temporary;
        private bool committed;

        private PendingFile(string target, string folder, string temporary, FileStream stream) =>
            (this.target, this.folder, this.temporary, Stream) = (target, folder, temporary, stream);

        public FileStream Stream { get; }

        public static PendingFile Begin(string path, bool createFolder)
        {
            string target = Path.GetFullPath(path);
            string folder = Path.GetDirectoryName(target) ?? throw new FlipGuardException($"cannot write {target}: it names no file");
            string name = Path.GetFileName(target);
            if (name.Length == 0 || Directory.Exists(target)) throw new FlipGuardException($"cannot write {target}: it names a folder, not a file");
            if (createFolder) OutputFolder.Create(folder);
            else if (!Directory.Exists(folder)) throw new FlipGuardException($"cannot write {target}: the folder {folder} does not exist");
            OrphanedTemporaries.RemoveOnce(folder);
            string temporary = Path.Combine(folder, $".{name}.{Environment.ProcessId}-{Random.Shared.NextInt64():x16}.tmp");
            try
            {
                var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None);
                return new PendingFile(target, folder, temporary, stream);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new FlipGuardException($"cannot write {target}: {OutputFolder.Reason(e)}");
            }
        }

        public void Commit()
        {
            try
            {
                Stream.Flush(flushToDisk: true);
                Stream.Dispose();
                File.Move(temporary, target, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new FlipGuardException($"cannot write {target}: {OutputFolder.Reason(e)}");
            }
            committed = true;
            FolderFlush.Flush(folder);
        }

        public void Dispose()
        {
            try { Stream.Dispose(); }
            catch (IOException) { } // a full disk fails the flush again; the temporary file goes either way
            if (!committed) File.Delete(temporary);
        }
    }
}
