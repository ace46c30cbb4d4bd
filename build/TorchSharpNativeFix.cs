#nullable enable
// MSBuild inline task (compiled by RoslynCodeTaskFactory, see TorchSharpNativeFix.targets).
// TorchSharp 0.107's libLibTorchSharp.so asks for GLIBCXX_3.4.32 for a single symbol,
// std::ios_base_library_init(), which no relocation uses. On systems whose libstdc++ is older
// (Debian 12, Ubuntu 22.04) the loader refuses the library. This task, run after each build,
// marks that one version need WEAK in the copy in the output folder (never the NuGet cache) and
// builds a tiny shim library that defines the symbol and constructs std::ios_base::Init; FlipGuard
// loads the shim before libtorch (TorchRuntime). It does nothing where the system library is new enough.
using System;
using System.Diagnostics;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class TorchSharpNativeFix : Task
{
    private const string Needed = "GLIBCXX_3.4.32";
    private const string OnlySymbol = "_ZSt21ios_base_library_initv";
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const uint ShtGnuVersym = 0x6fffffff;
    private const uint ShtDynsym = 11;
    private const ushort VerFlgWeak = 0x2;

    [Required] public string OutputDirectory { get; set; } = "";
    [Required] public string ShimSource { get; set; } = "";
    [Required] public string ShimVersionScript { get; set; } = "";
    [Required] public string IntermediateDirectory { get; set; } = "";

    public override bool Execute()
    {
        if (!Directory.Exists(OutputDirectory)) return true;
        string[] targets = Directory.GetFiles(OutputDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories);
        if (targets.Length == 0) return true;
        string? systemLib = FindSystemLibStdCxx();
        if (systemLib != null && Contains(File.ReadAllBytes(systemLib), Encoding.ASCII.GetBytes(Needed + "\0")))
        {
            Log.LogMessage(MessageImportance.Low, "FlipGuard: system libstdc++ provides " + Needed + "; TorchSharp needs no patch.");
            return true;
        }
        foreach (string target in targets)
        {
            try
            {
                if (!PatchVersionNeed(target)) continue;
                string shim = Path.Combine(Path.GetDirectoryName(target)!, "libflipguard_glibcxx_shim.so");
                if (!BuildShim(shim)) return false;
                Log.LogMessage(MessageImportance.Normal, "FlipGuard: patched " + target + " for the system libstdc++ (" + Needed + " weak, shim beside it).");
            }
            catch (InvalidDataException e)
            {
                Log.LogError("FlipGuard: cannot patch " + target + ": " + e.Message);
                return false;
            }
        }
        return !Log.HasLoggedErrors;
    }

    private static string? FindSystemLibStdCxx()
    {
        string[] dirs = { "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib", "/lib" };
        foreach (string d in dirs)
        {
            string p = Path.Combine(d, "libstdc++.so.6");
            if (File.Exists(p)) return p;
        }
        return null;
    }

    private static bool Contains(byte[] hay, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= hay.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && hay[i + j] == needle[j]) j++;
            if (j == needle.Length) return true;
        }
        return false;
    }

    /// <summary>Sets VER_FLG_WEAK on the GLIBCXX_3.4.32 need. Returns false when the file has no such need.</summary>
    private bool PatchVersionNeed(string path)
    {
        byte[] elf = File.ReadAllBytes(path);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F' || elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("not a little-endian 64-bit ELF file");
        long shoff = (long)BitConverter.ToUInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A), shnum = BitConverter.ToUInt16(elf, 0x3C);
        long verneedOff = -1, versymOff = -1, dynsymOff = -1, dynsymSize = 0; uint verneedCount = 0; int strtabIndex = -1, dynsymStrIndex = -1;
        for (int i = 0; i < shnum; i++)
        {
            long h = shoff + (long)i * shentsize;
            uint type = BitConverter.ToUInt32(elf, (int)h + 4);
            long off = (long)BitConverter.ToUInt64(elf, (int)h + 0x18);
            if (type == ShtGnuVerneed) { verneedOff = off; strtabIndex = (int)BitConverter.ToUInt32(elf, (int)h + 0x28); verneedCount = BitConverter.ToUInt32(elf, (int)h + 0x2C); }
            else if (type == ShtGnuVersym) versymOff = off;
            else if (type == ShtDynsym) { dynsymOff = off; dynsymSize = (long)BitConverter.ToUInt64(elf, (int)h + 0x20); dynsymStrIndex = (int)BitConverter.ToUInt32(elf, (int)h + 0x28); }
        }
        if (verneedOff < 0 || versymOff < 0 || dynsymOff < 0) return false;
        long strOff = (long)BitConverter.ToUInt64(elf, (int)(shoff + (long)strtabIndex * shentsize + 0x18));
        long need = verneedOff;
        for (uint n = 0; n < verneedCount; n++)
        {
            int cnt = BitConverter.ToUInt16(elf, (int)need + 2);
            long aux = need + BitConverter.ToUInt32(elf, (int)need + 8);
            for (int a = 0; a < cnt; a++)
            {
                string name = ReadString(elf, strOff + BitConverter.ToUInt32(elf, (int)aux + 8));
                if (name == Needed)
                {
                    ushort flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                    if ((flags & VerFlgWeak) != 0) return true;
                    ushort index = BitConverter.ToUInt16(elf, (int)aux + 6);
                    long symStrOff = (long)BitConverter.ToUInt64(elf, (int)(shoff + (long)dynsymStrIndex * shentsize + 0x18));
                    CheckOnlyExpectedSymbol(elf, dynsymOff, dynsymSize, versymOff, symStrOff, index);
                    flags |= VerFlgWeak;
                    elf[aux + 4] = (byte)(flags & 0xff);
                    elf[aux + 5] = (byte)(flags >> 8);
                    string tmp = path + ".patching";
                    File.WriteAllBytes(tmp, elf); // a new file: never writes through a hard link into the NuGet cache
                    File.Copy(tmp, path, true);
                    File.Delete(tmp);
                    return true;
                }
                aux += BitConverter.ToUInt32(elf, (int)aux + 12);
            }
            uint next = BitConverter.ToUInt32(elf, (int)need + 12);
            if (next == 0) break;
            need += next;
        }
        return false;
    }

    private static void CheckOnlyExpectedSymbol(byte[] elf, long dynsymOff, long dynsymSize, long versymOff, long strOff, ushort index)
    {
        long count = dynsymSize / 24;
        for (long s = 0; s < count; s++)
        {
            ushort ver = (ushort)(BitConverter.ToUInt16(elf, (int)(versymOff + 2 * s)) & 0x7fff);
            if (ver != index) continue;
            string sym = ReadString(elf, strOff + BitConverter.ToUInt32(elf, (int)(dynsymOff + 24 * s)));
            if (sym != OnlySymbol)
                throw new InvalidDataException("it needs " + Needed + " for " + sym + " too; install a libstdc++ from GCC 13 or newer");
        }
    }

    private static string ReadString(byte[] b, long off)
    {
        int end = (int)off;
        while (b[end] != 0) end++;
        return Encoding.ASCII.GetString(b, (int)off, end - (int)off);
    }

    private bool BuildShim(string destination)
    {
        Directory.CreateDirectory(IntermediateDirectory);
        string built = Path.Combine(IntermediateDirectory, "libflipguard_glibcxx_shim.so");
        if (!File.Exists(built) || File.GetLastWriteTimeUtc(built) < File.GetLastWriteTimeUtc(ShimSource))
        {
            var psi = new ProcessStartInfo("g++", "-shared -fPIC -O2 -o \"" + built + "\" \"" + ShimSource + "\" -Wl,--version-script=\"" + ShimVersionScript + "\"")
            { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            Process? p;
            try { p = Process.Start(psi); }
            catch (System.ComponentModel.Win32Exception)
            {
                Log.LogError("FlipGuard: TorchSharp needs a small shim compiled for this system's libstdc++, and g++ was not found: install it (Debian/Ubuntu: apt-get install g++).");
                return false;
            }
            if (p == null) return false;
            string err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) { Log.LogError("FlipGuard: g++ failed to build the libstdc++ shim: " + err.Trim()); return false; }
        }
        File.Copy(built, destination, true);
        return true;
    }
}
