using System.Runtime.InteropServices;

namespace FlipGuard.Core;

/// <summary>
/// Makes a rename inside a folder durable. A rename only changes the folder, and POSIX file systems (ext4, XFS, APFS)
/// may keep that change in memory after fsync of the file itself; fsync of the folder is what commits it, so without
/// this step a power cut right after an "atomic" write could bring back the old file — or, for a newly created file,
/// no file at all. .NET cannot open a folder as a stream, so on Linux and macOS the folder is opened read-only with
/// libc's <c>open</c> and fsynced. On Windows the step is skipped: flushing a directory there needs a handle opened
/// with backup semantics and write access, which ordinary accounts are refused, and NTFS commits the rename as one
/// journaled metadata change anyway. Best effort everywhere: a file system that cannot sync folders (some network and
/// FUSE ones answer EINVAL) or a folder that cannot be opened for reading loses only this extra durability, not the
/// file, which is already complete under its name, so such failures are not errors.
/// </summary>
internal static class FolderFlush
{
    private const int ReadOnly = 0;
    private const int CloseOnExecLinux = 0x80000, CloseOnExecMac = 0x1000000;

    /// <summary>Flushes <paramref name="folder"/>'s entries (names, renames) to disk where the OS allows it.</summary>
    public static void Flush(string folder)
    {
        try
        {
            if (OperatingSystem.IsLinux()) FlushLinux(folder);
            else if (OperatingSystem.IsMacOS()) FlushMac(folder);
        }
        catch (DllNotFoundException) { } // a libc under another name (musl): keep the file, skip the extra step
        catch (EntryPointNotFoundException) { }
    }

    private static void FlushLinux(string folder)
    {
        int fd = OpenLinux(folder, ReadOnly | CloseOnExecLinux);
        if (fd < 0) return;
        FsyncLinux(fd);
        CloseLinux(fd);
    }

    private static void FlushMac(string folder)
    {
        int fd = OpenMac(folder, ReadOnly | CloseOnExecMac);
        if (fd < 0) return;
        FsyncMac(fd);
        CloseMac(fd);
    }

    [DllImport("libc.so.6", EntryPoint = "open")]
    private static extern int OpenLinux([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc.so.6", EntryPoint = "fsync")]
    private static extern int FsyncLinux(int fd);

    [DllImport("libc.so.6", EntryPoint = "close")]
    private static extern int CloseLinux(int fd);

    [DllImport("libc", EntryPoint = "open")]
    private static extern int OpenMac([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync")]
    private static extern int FsyncMac(int fd);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int CloseMac(int fd);
}
