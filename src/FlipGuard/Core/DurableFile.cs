namespace FlipGuard.Core;

/// <summary>
/// Writes a file so that a kill at any moment leaves either the old file or the complete new one, never a torn one:
/// the bytes go to a temporary file that is flushed to disk and then renamed over the target. Journals and
/// checkpoints rely on this for "a killed run resumed equals an uninterrupted one".
/// </summary>
public static class DurableFile
{
    /// <summary>Replaces <paramref name="path"/> with <paramref name="bytes"/> atomically.</summary>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> bytes)
    {
        string tmp = path + ".tmp";
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            fs.Write(bytes);
            fs.Flush(flushToDisk: true);
        }
        File.Move(tmp, path, overwrite: true);
    }
}
