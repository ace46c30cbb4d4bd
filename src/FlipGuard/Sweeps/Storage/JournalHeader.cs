using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;

namespace FlipGuard.Sweeps.Storage;

/// <summary>
/// The header of a sweep journal (<c>journal/header.json</c>): the sweep definition and its hash, the shard, the
/// block size, the hash of the flip-site table and the clean count. A journal is only ever continued by a run
/// whose header is identical, and only merged with journals of the same definition.
/// </summary>
public sealed record JournalHeader(int FormatVersion, SweepDefinition Definition, string DefinitionSha256, int ShardIndex, int ShardCount,
    int BlockSize, long Flips, string SitesSha256, long CleanCorrect)
{
    /// <summary>The journal layout this build writes.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>The shard.</summary>
    [JsonIgnore]
    public SweepShard Shard => new(ShardIndex, ShardCount);

    /// <summary>Hash of everything a block's counts depend on; every block file carries it.</summary>
    public byte[] Identity() => SHA256.HashData(Encoding.UTF8.GetBytes($"{FormatVersion}|{DefinitionSha256}|{Shard}|{BlockSize}|{Flips}|{SitesSha256}|{CleanCorrect}"));

    /// <summary>Number of blocks of this shard.</summary>
    [JsonIgnore]
    public int Blocks => (int)((Shard.LocalCount(Flips) + BlockSize - 1) / BlockSize);

    /// <summary>Flips in block <paramref name="block"/>.</summary>
    public int BlockLength(int block) => (int)Math.Min(BlockSize, Shard.LocalCount(Flips) - (long)block * BlockSize);

    /// <summary>The first difference from <paramref name="other"/> as a phrase, or null when they match.</summary>
    public string? FirstDifference(JournalHeader other) =>
        FormatVersion != other.FormatVersion ? $"journal format {FormatVersion}" :
        Definition.FirstDifference(other.Definition) is { } d ? d :
        Shard != other.Shard ? $"shard ({other.Shard} vs {Shard})" :
        BlockSize != other.BlockSize ? $"block size ({other.BlockSize} vs {BlockSize})" :
        SitesSha256 != other.SitesSha256 ? "flip sites" :
        CleanCorrect != other.CleanCorrect ? $"clean count ({other.CleanCorrect} vs {CleanCorrect}; evaluation is not reproducible — same --threads?)" :
        Flips != other.Flips ? "flip count" : null;
}
