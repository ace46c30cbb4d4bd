using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using FlipGuard.Core;
using FlipGuard.Faults.Targets;

namespace FlipGuard.Sweeps.Storage;

/// <summary>
/// Stores a <see cref="FlipSites"/> enumeration beside a journal (magic, JSON table of tensors and bits, then the
/// entries' tensor, index, value and int8 arrays, little-endian), so shards can be merged and per-flip records
/// written without loading the model.
/// </summary>
public static class FlipSitesFile
{
    private static readonly byte[] Magic = "FGSITES1"u8.ToArray();

    private sealed record Table(IReadOnlyList<SiteTensor> Tensors, int[] Bits, bool Int8, long PopulationEntries, int Entries);

    /// <summary>The file's bytes for <paramref name="sites"/> (deterministic: equal enumerations give equal bytes).</summary>
    public static byte[] Serialize(FlipSites sites)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("big-endian hosts are not supported");
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(new Table(sites.Tensors, sites.Bits.ToArray(), sites.Int8, sites.PopulationEntries, sites.Entries));
        using var ms = new MemoryStream();
        ms.Write(Magic);
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(len, json.Length);
        ms.Write(len);
        ms.Write(json);
        ms.Write(MemoryMarshal.AsBytes(sites.EntryTensorSpan));
        ms.Write(MemoryMarshal.AsBytes(sites.EntryIndexSpan));
        ms.Write(MemoryMarshal.AsBytes(sites.OldValueSpan));
        ms.Write(MemoryMarshal.AsBytes(sites.Int8Span));
        return ms.ToArray();
    }

    /// <summary>SHA-256 (hex) of <paramref name="bytes"/>.</summary>
    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Reads the enumeration stored at <paramref name="path"/>.</summary>
    /// <exception cref="FlipGuardException">Missing, truncated or foreign file.</exception>
    public static FlipSites Read(string path)
    {
        if (!File.Exists(path)) throw new FlipGuardException($"{path}: flip-site table not found");
        byte[] b = File.ReadAllBytes(path);
        try
        {
            if (b.Length < 12 || !b.AsSpan(0, 8).SequenceEqual(Magic)) throw new FlipGuardException($"{path}: not a FlipGuard flip-site table");
            int n = BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(8));
            var table = JsonSerializer.Deserialize<Table>(b.AsSpan(12, n)) ?? throw new FlipGuardException($"{path}: empty flip-site table");
            int pos = 12 + n, e = table.Entries;
            long expected = pos + (long)e * (4 + 8 + 4) + (table.Int8 ? e : 0);
            if (b.Length != expected) throw new FlipGuardException($"{path}: flip-site table is truncated or corrupt");
            var tensor = MemoryMarshal.Cast<byte, int>(b.AsSpan(pos, e * 4)).ToArray(); pos += e * 4;
            var index = MemoryMarshal.Cast<byte, long>(b.AsSpan(pos, e * 8)).ToArray(); pos += e * 8;
            var old = MemoryMarshal.Cast<byte, float>(b.AsSpan(pos, e * 4)).ToArray(); pos += e * 4;
            var q = table.Int8 ? MemoryMarshal.Cast<byte, sbyte>(b.AsSpan(pos, e)).ToArray() : [];
            return new FlipSites(table.Tensors, table.Bits, table.Int8, tensor, index, old, q, table.PopulationEntries);
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException)
        {
            throw new FlipGuardException($"{path}: flip-site table is corrupt ({ex.GetType().Name})");
        }
    }
}
