using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using FlipGuard.Core;
using FlipGuard.Faults.Targets;

namespace FlipGuard.Sweeps.Storage;

/// <summary>
/// The on-disk record of finished work, in <c>DIR/journal/</c>: <c>header.json</c>, <c>sites.bin</c> (the flip
/// enumeration) and one file per finished block, <c>block-NNNNNNNN.bin</c> = magic, the header's identity hash,
/// block number, count, the int32 counts and a SHA-256 of all that. Every file is written to a temporary name,
/// flushed and renamed, so a run killed at any moment leaves only whole files; a block file that is nevertheless
/// short or damaged is ignored (and its flips evaluated again), so no flip is lost or counted twice.
/// </summary>
public sealed class SweepJournal : IDisposable
{
    private static readonly byte[] BlockMagic = "FGJBLK01"u8.ToArray();
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };
    private readonly string directory;
    private readonly byte[] identity;
    private readonly FolderLock? hold;

    private SweepJournal(string directory, JournalHeader header, FolderLock? hold = null)
    {
        (this.directory, Header, this.hold) = (directory, header, hold);
        identity = header.Identity();
    }

    /// <summary>Releases the folder for other runs (a journal opened for writing holds it; see <see cref="FolderLock"/>).</summary>
    public void Dispose() => hold?.Dispose();

    /// <summary>The header this journal was opened with.</summary>
    public JournalHeader Header { get; }

    /// <summary>The journal folder inside a sweep's output folder.</summary>
    public static string PathIn(string outputDirectory) => Path.Combine(outputDirectory, "journal");

    /// <summary>
    /// Opens the journal in <paramref name="directory"/> for a run with <paramref name="header"/>: creates it, or with
    /// <paramref name="resume"/> continues an identical one.
    /// </summary>
    /// <exception cref="FlipGuardException">A journal exists and <paramref name="resume"/> is off, it belongs to a different sweep, or another run holds it.</exception>
    public static SweepJournal Open(string directory, JournalHeader header, byte[] sitesBytes, bool resume)
    {
        var hold = FolderLock.Acquire(directory, "sweep journal");
        try { return Open(directory, header, sitesBytes, resume, hold); }
        catch { hold.Dispose(); throw; }
    }

    private static SweepJournal Open(string directory, JournalHeader header, byte[] sitesBytes, bool resume, FolderLock hold)
    {
        string headerPath = Path.Combine(directory, "header.json");
        if (File.Exists(headerPath))
        {
            if (!resume)
                throw new FlipGuardException($"{directory} already holds a sweep journal; pass --resume to continue it, or choose another --output");
            var existing = ReadHeader(directory);
            if (existing.FirstDifference(header) is { } diff)
                throw new FlipGuardException($"{directory}: journal belongs to a different sweep ({diff}); use another --output or delete it");
            string sitesPath = Path.Combine(directory, "sites.bin");
            if (!File.Exists(sitesPath)) AtomicFile.Write(sitesPath, sitesBytes);
        }
        else
        {
            OutputFolder.Create(directory);
            foreach (string stale in Directory.EnumerateFiles(directory, "block-*")) File.Delete(stale);
            AtomicFile.Write(Path.Combine(directory, "sites.bin"), sitesBytes);
            AtomicFile.Write(headerPath, JsonSerializer.SerializeToUtf8Bytes(header, Json));
        }
        foreach (string tmp in Directory.EnumerateFiles(directory, "*.tmp")) File.Delete(tmp);
        return new SweepJournal(directory, header, hold);
    }

    /// <summary>Reads the header of the journal in <paramref name="directory"/>.</summary>
    /// <exception cref="FlipGuardException">No journal there, or an unreadable header.</exception>
    public static JournalHeader ReadHeader(string directory)
    {
        string path = Path.Combine(directory, "header.json");
        if (!File.Exists(path)) throw new FlipGuardException($"{directory}: no sweep journal (header.json missing)");
        try
        {
            var h = JsonSerializer.Deserialize<JournalHeader>(File.ReadAllBytes(path)) ?? throw new JsonException("null");
            if (h.FormatVersion != JournalHeader.CurrentFormatVersion)
                throw new FlipGuardException($"{path}: journal format {h.FormatVersion} is not supported (this build reads {JournalHeader.CurrentFormatVersion})");
            if (h.Definition.Sha256() != h.DefinitionSha256) throw new FlipGuardException($"{path}: journal header is corrupt (definition hash mismatch)");
            return h;
        }
        catch (JsonException) { throw new FlipGuardException($"{path}: journal header is not valid JSON"); }
    }

    /// <summary>Opens an existing journal read-only, for merging.</summary>
    public static SweepJournal OpenExisting(string directory) => new(directory, ReadHeader(directory));

    /// <summary>The flip enumeration stored with the journal, checked against the header's hash.</summary>
    /// <exception cref="FlipGuardException">Missing or altered table.</exception>
    public FlipSites ReadSites()
    {
        string path = Path.Combine(directory, "sites.bin");
        if (!File.Exists(path)) throw new FlipGuardException($"{path}: flip-site table not found");
        if (FlipSitesFile.Sha256(File.ReadAllBytes(path)) != Header.SitesSha256) throw new FlipGuardException($"{path}: flip-site table does not match the journal header");
        return FlipSitesFile.Read(path);
    }

    /// <summary>
    /// Reads block <paramref name="block"/>'s counts into <paramref name="counts"/> (its length is the block's);
    /// false when the block is absent or its file is damaged, in which case the block must be evaluated again.
    /// </summary>
    public bool TryRead(int block, Span<int> counts)
    {
        string path = BlockPath(block);
        if (!File.Exists(path)) return false;
        byte[] b = File.ReadAllBytes(path);
        int n = counts.Length;
        int body = 8 + 32 + 4 + 4 + 4 * n;
        if (b.Length != body + 32 || !b.AsSpan(0, 8).SequenceEqual(BlockMagic) || !b.AsSpan(8, 32).SequenceEqual(identity)
            || BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(40)) != block || BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(44)) != n
            || !SHA256.HashData(b.AsSpan(0, body)).AsSpan().SequenceEqual(b.AsSpan(body, 32)))
            return false;
        MemoryMarshal.Cast<byte, int>(b.AsSpan(48, 4 * n)).CopyTo(counts);
        return true;
    }

    /// <summary>Records block <paramref name="block"/>'s counts durably (temporary file, flush, rename).</summary>
    public void Write(int block, ReadOnlySpan<int> counts)
    {
        int body = 8 + 32 + 4 + 4 + 4 * counts.Length;
        var b = new byte[body + 32];
        BlockMagic.CopyTo(b, 0);
        identity.CopyTo(b, 8);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(40), block);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(44), counts.Length);
        MemoryMarshal.AsBytes(counts).CopyTo(b.AsSpan(48));
        SHA256.HashData(b.AsSpan(0, body), b.AsSpan(body));
        AtomicFile.Write(BlockPath(block), b);
    }

    /// <summary>The file of block <paramref name="block"/>.</summary>
    public string BlockPath(int block) => Path.Combine(directory, $"block-{block:D8}.bin");

}
