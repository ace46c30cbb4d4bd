using System.Runtime.InteropServices;
using TorchSharp;

namespace FlipGuard.Core;

/// <summary>
/// Loads libtorch once, first preloading the libstdc++ shim that the build places beside
/// TorchSharp's native library on systems whose libstdc++ predates GCC 13 (see build/TorchSharpNativeFix.cs),
/// and turns a load failure into one actionable sentence instead of a native stack trace.
/// </summary>
public static class TorchRuntime
{
    private const string ShimName = "libflipguard_glibcxx_shim.so";
    private const int RtldNow = 2, RtldGlobal = 0x100;
    private static readonly object Gate = new();
    private static bool initialized;

    /// <summary>Makes torch usable in this process; idempotent and thread-safe.</summary>
    /// <exception cref="FlipGuardException">libtorch could not be loaded.</exception>
    public static void EnsureInitialized()
    {
        if (initialized) return;
        lock (Gate)
        {
            if (initialized) return;
            if (OperatingSystem.IsLinux()) PreloadShim();
            try
            {
                torch.InitializeDeviceType(DeviceType.CPU);
            }
            catch (Exception e) when (e is NotSupportedException or DllNotFoundException or TypeInitializationException)
            {
                throw new FlipGuardException(
                    "libtorch failed to load (" + FirstLine(e) + "); rebuild with `dotnet build` so the native fix is applied, and check that g++ is installed");
            }
            initialized = true;
        }
    }

    private static void PreloadShim()
    {
        foreach (string dir in new[] { AppContext.BaseDirectory, Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native") })
        {
            string path = Path.Combine(dir, ShimName);
            if (!File.Exists(path)) continue;
            // RTLD_GLOBAL puts the shim's symbols in the global scope searched when libLibTorchSharp.so loads.
            if (DlOpen(path, RtldNow | RtldGlobal) == IntPtr.Zero)
                throw new FlipGuardException($"cannot load {path}; rebuild with `dotnet build`");
            return;
        }
    }

    private static IntPtr DlOpen(string path, int flags)
    {
        try { return DlOpenLibc(path, flags); }
        catch (EntryPointNotFoundException) { return DlOpenLibdl(path, flags); }
        catch (DllNotFoundException) { return DlOpenLibdl(path, flags); }
    }

    private static string FirstLine(Exception e)
    {
        string m = (e.InnerException ?? e).Message;
        int nl = m.IndexOf('\n');
        return (nl < 0 ? m : m[..nl]).Trim();
    }

    [DllImport("libc.so.6", EntryPoint = "dlopen")]
    private static extern IntPtr DlOpenLibc([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libdl.so.2", EntryPoint = "dlopen")]
    private static extern IntPtr DlOpenLibdl([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);
}
