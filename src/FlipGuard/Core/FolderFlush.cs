using System.Runtime.InteropServices;
using System.Text;

namespace FlipGuard.Core;

/// <summary>
/// Makes a rename inside a folder durable. A rename only changes the folder, and POSIX file systems (ext4, XFS, APFS)
/// may keep that change in memory after fsync of the file itself; fsync of the folder is what commits it, so without
/// this step a power cut right after an "atomic" write could bring back the old file — or, for a newly created file,
/// no file at all. .NET cannot open a folder as a stream, so on Linux and macOS the folder is opened read-only with
/// libc's <c>open</c> and fsynced. On Windows the step is skipped: flushing a directory there needs a handle opened
/// with backup semantics and write access, which ordinary accounts are refused, and NTFS commits the rename as one
/// journaled metadata change anyway. Best effort everywhere: a file system that cannot sync folders (some network and
/// FUSE ones answer EINVAL), a folder that cannot be opened for reading or a libc under another name (musl) loses only
/// this extra durability, not the file, which is already complete under its name, so none of these is an error.
/// </summary>
internal static unsafe class FolderFlush
{
    private const int ReadOnlyCloseOnExecLinux = 0x80000, ReadOnlyCloseOnExecMac = 0x1000000; // O_RDONLY (0) | O_CLOEXEC
    private static readonly (nint Open, nint Fsync, nint Close)? Libc = Load();

    /// <summary>Flushes <paramref name="folder"/>'s entries (names, renames) to disk where the OS allows it.</summary>
    public static void Flush(string folder)
    {
        if (Libc is not { } libc) return;
        byte[] path = Encoding.UTF8.GetBytes(folder + "\0");
        int flags = OperatingSystem.IsLinux() ? ReadOnlyCloseOnExecLinux : ReadOnlyCloseOnExecMac;
        int fd;
        fixed (byte* p = path) fd = ((delegate* unmanaged<byte*, int, int>)libc.Open)(p, flags);
        if (fd < 0) return;
        ((delegate* unmanaged<int, int>)libc.Fsync)(fd);
        ((delegate* unmanaged<int, int>)libc.Close)(fd);
    }

    private static (nint, nint, nint)? Load()
    {
        string? name = OperatingSystem.IsLinux() ? "libc.so.6" : OperatingSystem.IsMacOS() ? "/usr/lib/libSystem.B.dylib" : null;
        if (name is null || !NativeLibrary.TryLoad(name, out nint lib)) return null;
        return NativeLibrary.TryGetExport(lib, "open", out nint open) && NativeLibrary.TryGetExport(lib, "fsync", out nint fsync)
            && NativeLibrary.TryGetExport(lib, "close", out nint close) ? (open, fsync, close) : null;
    }
}
