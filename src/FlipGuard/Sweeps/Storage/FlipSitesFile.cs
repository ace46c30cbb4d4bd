using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using FlipGuard.Core;
using FlipGuard.Faults.Encodings;
using FlipGuard.Faults.Targets;

namespace FlipGuard.Sweeps.Storage;

/// <summary>
/// Stores a <see cref="FlipSites"/> enumeration beside a journal (magic, JSON table of tensors, bits and encoding, then
/// the entries' tensor, index and value arrays and the encoding's stored words, little-endian), so shards can be merged
/// and per-flip records written without loading the model. The words take <see cref="IWeightEncoding.SiteWordBytes"/>
/// bytes each (int8: 1, the integer q; float32: none, the value's own bits): the layout files had when int8 was the only
/// other format, so tables written then are read unchanged.
/// </summary>
public static class FlipSitesFile
{
    private static readonly byte[] Magic = "FGSITES1"u8.ToArray();

    private sealed record Table(IReadOnlyList<SiteTensor> Tensors, int[] Bits,
        [property: JsonPropertyName("Int8"), JsonConverter(typeof(EncodingFlagJsonConverter))] string Encoding, long PopulationEntries, int Entries);

    /// <summary>The file's bytes for <paramref name="sites"/> (deterministic: equal enumerations give equal bytes).</summary>
    public static byte[] Serialize(FlipSites sites)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("big-endian hosts are not supported");
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(new Table(sites.Tensors, sites.Bits.ToArray(), sites.Encoding.Name, sites.PopulationEntries, sites.Entries));
        using var ms = new MemoryStream();
        ms.Write(Magic);
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(len, json.Length);
        ms.Write(len);
        ms.Write(json);
        ms.Write(MemoryMarshal.AsBytes(sites.EntryTensorSpan));
        ms.Write(MemoryMarshal.AsBytes(sites.EntryIndexSpan));
        ms.Write(MemoryMarshal.AsBytes(sites.OldValueSpan));
        int wordBytes = sites.Encoding.SiteWordBytes;
        Span<byte> word = stackalloc byte[4];
        foreach (uint w in sites.WordSpan)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(word, w);
            ms.Write(word[..wordBytes]);
        }
        return ms.ToArray();
    }

    /// <summary>SHA-256 (hex) of <paramref name="bytes"/>.</summary>
    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Reads the enumeration stored at <paramref name="path"/>.</summary>
    /// <exception cref="FlipGuardException">Missing, truncated or foreign file, or one of an encoding this build does not know.</exception>
    public static FlipSites Read(string path)
    {
        if (!File.Exists(path)) throw new FlipGuardException($"{path}: flip-site table not found");
        byte[] b = File.ReadAllBytes(path);
        try
        {
            if (b.Length < 12 || !b.AsSpan(0, 8).SequenceEqual(Magic)) throw new FlipGuardException($"{path}: not a FlipGuard flip-site table");
            int n = BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(8));
            var table = JsonSerializer.Deserialize<Table>(b.AsSpan(12, n)) ?? throw new FlipGuardException($"{path}: empty flip-site table");
            IWeightEncoding encoding;
            try { encoding = WeightEncodings.Parse(table.Encoding); }
            catch (FlipGuardException ex) { throw new FlipGuardException($"{path}: {ex.Message}; rerun the sweep with this build"); }
            int pos = 12 + n, e = table.Entries, wordBytes = encoding.SiteWordBytes;
            long expected = pos + (long)e * (4 + 8 + 4 + wordBytes);
            if (b.Length != expected) throw new FlipGuardException($"{path}: flip-site table is truncated or corrupt");
            var tensor = MemoryMarshal.Cast<byte, int>(b.AsSpan(pos, e * 4)).ToArray(); pos += e * 4;
            var index = MemoryMarshal.Cast<byte, long>(b.AsSpan(pos, e * 8)).ToArray(); pos += e * 8;
            var old = MemoryMarshal.Cast<byte, float>(b.AsSpan(pos, e * 4)).ToArray(); pos += e * 4;
            if (tensor.Any(t => (uint)t >= (uint)table.Tensors.Count)) throw new FlipGuardException($"{path}: flip-site table is corrupt (tensor index)");
            var words = new uint[e];
            Span<byte> word = stackalloc byte[4];
            for (int i = 0; i < e; i++)
            {
                if (wordBytes == 0) { words[i] = encoding.Store(old[i], table.Tensors[tensor[i]].Scale); continue; }
                word.Clear();
                b.AsSpan(pos + i * wordBytes, wordBytes).CopyTo(word);
                words[i] = BinaryPrimitives.ReadUInt32LittleEndian(word);
            }
            return new FlipSites(table.Tensors, table.Bits, encoding, tensor, index, old, words, table.PopulationEntries);
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException)
        {
            throw new FlipGuardException($"{path}: flip-site table is corrupt ({ex.GetType().Name})");
        }
    }
}
