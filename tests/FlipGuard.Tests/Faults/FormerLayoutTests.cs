using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using FlipGuard.Attacks;
using FlipGuard.Core;
using FlipGuard.Faults.Encodings;
using FlipGuard.Faults.Targets;
using FlipGuard.Injection;
using FlipGuard.Sweeps;
using FlipGuard.Sweeps.Storage;

namespace FlipGuard.Tests.Faults;

/// <summary>
/// Journals, flip-site tables and definitions written before weight encodings existed (a bool <c>Int8</c> and an
/// int8 block) are still read, resumed and hashed as they were. The former layouts are written here by copies of the
/// former records and writer, not by the code under test.
/// </summary>
public class FormerLayoutTests
{
    private sealed record FormerSweepDefinition(string CheckpointSha256, string Dataset, int Samples, string Bits, string Parameters, ulong? SampleSeed, bool Int8, int Chunk,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Defense = null);

    private sealed record FormerJournalHeader(int FormatVersion, FormerSweepDefinition Definition, string DefinitionSha256, int ShardIndex, int ShardCount,
        int BlockSize, long Flips, string SitesSha256, long CleanCorrect);

    private sealed record FormerTable(IReadOnlyList<SiteTensor> Tensors, int[] Bits, bool Int8, long PopulationEntries, int Entries);

    private sealed record FormerAttackDefinition(string CheckpointSha256, string Dataset, int Samples, long CleanCorrect, int AttackPool, bool Int8, string Bits,
        int TopK, int BatchSize, double TargetAccuracy, int MaxFlips, IReadOnlyList<ulong> Seeds, int Chunk, string? Repair)
    {
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
        public bool TargetOnRepaired { get; init; }
    }

    private sealed record FormerInjectionDefinition(string CheckpointSha256, string Dataset, int Samples, long CleanCorrect, bool Int8, string Bits,
        InjectionMode Mode, IReadOnlyList<double> Levels, int Trials, ulong Seed, int Chunk, string? Repair);

    private static string Sha256(string json) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)));

    /// <summary>
    /// Every bit of every weight of the tiny classifier (int8: its weight tensors; float32: every tensor) as the former
    /// writer laid it out, with q quantised here from the float weights.
    /// </summary>
    private static (FlipTarget Target, byte[] Sites) FormerSites(bool int8, int bits)
    {
        var (model, _, _) = TinyClassifier.Create(seed: 5);
        var floats = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone().view(-1).data<float>().ToArray());
        var target = FlipTarget.Create(model, WeightEncodings.FromInt8Flag(int8));
        var tensors = new List<SiteTensor>();
        var (entryTensor, entryIndex, old, q) = (new List<int>(), new List<long>(), new List<float>(), new List<sbyte>());
        for (int t = 0; t < target.Tensors.Count; t++)
        {
            var tensor = target.Tensors[t];
            var tq = new sbyte[tensor.Length];
            float scale = 0;
            if (int8) scale = Int8Quantizer.Quantize(floats[tensor.Name], tq);
            tensors.Add(new SiteTensor(t, tensor.Name, tensor.Layer, tensor.Kind, tensor.Length, scale));
            float[] values = tensor.ReadValues();
            for (int i = 0; i < values.Length; i++)
            {
                entryTensor.Add(t);
                entryIndex.Add(i);
                old.Add(values[i]);
                if (int8) q.Add(tq[i]);
            }
        }
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(new FormerTable(tensors, Enumerable.Range(0, bits).ToArray(), int8, old.Count, old.Count));
        using var ms = new MemoryStream();
        ms.Write("FGSITES1"u8);
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(len, json.Length);
        ms.Write(len);
        ms.Write(json);
        ms.Write(MemoryMarshal.AsBytes(CollectionsMarshal.AsSpan(entryTensor)));
        ms.Write(MemoryMarshal.AsBytes(CollectionsMarshal.AsSpan(entryIndex)));
        ms.Write(MemoryMarshal.AsBytes(CollectionsMarshal.AsSpan(old)));
        ms.Write(MemoryMarshal.AsBytes(CollectionsMarshal.AsSpan(q)));
        return (target, ms.ToArray());
    }

    [Theory]
    [InlineData(true, 8)]
    [InlineData(false, 32)]
    public void AFormerFlipSiteTableIsReadAsTheSameFlipsAndWrittenByteForByte(bool int8, int bits)
    {
        using var dir = new TempDirectory();
        var (target, former) = FormerSites(int8, bits);
        var sites = FlipSites.Create(target, BitSelection.Parse("all", target.Encoding), ParameterSelection.All, 0);
        Assert.Equal(former, FlipSitesFile.Serialize(sites));
        File.WriteAllBytes(dir.File("sites.bin"), former);
        var read = FlipSitesFile.Read(dir.File("sites.bin"));
        Assert.Same(target.Encoding, read.Encoding);
        Assert.Equal(sites.Count, read.Count);
        for (long o = 0; o < sites.Count; o++)
        {
            Assert.Equal(sites.Site(o), read.Site(o));
            Assert.Equal(sites.Change(o), read.Change(o));
        }
    }

    [Fact]
    public void AFlipSiteTableOfAnUnknownEncodingIsRefusedInOneLine()
    {
        using var dir = new TempDirectory();
        var (_, former) = FormerSites(int8: true, bits: 8);
        int n = BinaryPrimitives.ReadInt32LittleEndian(former.AsSpan(8));
        string json = Encoding.UTF8.GetString(former, 12, n).Replace("\"Int8\":true", "\"Int8\":\"int3\"");
        byte[] table = Encoding.UTF8.GetBytes(json);
        var bytes = new List<byte>(former[..8]);
        bytes.AddRange(BitConverter.GetBytes(table.Length));
        bytes.AddRange(table);
        bytes.AddRange(former[(12 + n)..]);
        File.WriteAllBytes(dir.File("sites.bin"), bytes.ToArray());
        var e = Assert.Throws<FlipGuardException>(() => FlipSitesFile.Read(dir.File("sites.bin")));
        Assert.Contains("unknown weight encoding 'int3'", e.Message);
        Assert.Contains("rerun", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData(true, null)]
    [InlineData(false, null)]
    [InlineData(true, "guard(zero)")]
    public void DefinitionsKeepTheirFormerJsonAndHashes(bool int8, string? defense)
    {
        string name = WeightEncodings.FromInt8Flag(int8).Name;
        var sweep = new SweepDefinition("ab12", "mnist", 2000, "0,7", "sample:10", 3, name, 256, defense);
        string formerSweep = JsonSerializer.Serialize(new FormerSweepDefinition("ab12", "mnist", 2000, "0,7", "sample:10", 3, int8, 256, defense));
        Assert.Equal(formerSweep, JsonSerializer.Serialize(sweep));
        Assert.Equal(Sha256(formerSweep), sweep.Sha256());
        Assert.Equal(sweep, JsonSerializer.Deserialize<SweepDefinition>(formerSweep));
        // The camel-case JSON of sweep summaries and --json output keeps its former key and place too.
        string formerCamel = JsonSerializer.Serialize(new FormerSweepDefinition("ab12", "mnist", 2000, "0,7", "sample:10", 3, int8, 256, defense), RecordJournal.Json);
        Assert.Equal(formerCamel, JsonSerializer.Serialize(sweep, RecordJournal.Json));
        Assert.Equal(sweep, JsonSerializer.Deserialize<SweepDefinition>(formerCamel, RecordJournal.Json));

        var attack = new AttackDefinition("ab12", "mnist", 2000, 1960, 60000, name, "0,1,2,3,4,5,6,7", 10, 128, 0.11, 100, [0, 1], 256, defense) { TargetOnRepaired = defense is not null };
        string formerAttack = JsonSerializer.Serialize(new FormerAttackDefinition("ab12", "mnist", 2000, 1960, 60000, int8, "0,1,2,3,4,5,6,7", 10, 128, 0.11, 100, [0, 1], 256, defense)
            { TargetOnRepaired = defense is not null }, RecordJournal.Json);
        Assert.Equal(formerAttack, JsonSerializer.Serialize(attack, RecordJournal.Json));
        var readAttack = JsonSerializer.Deserialize<AttackDefinition>(formerAttack, RecordJournal.Json)!;
        Assert.Equal(name, readAttack.Encoding);
        Assert.Equal(attack.Seeds, readAttack.Seeds);

        var injection = new InjectionDefinition("ab12", "mnist", 2000, 1960, name, "all", InjectionMode.BitErrorRate, [1e-5, 1e-3], 100, 0, 256, defense);
        string formerInjection = JsonSerializer.Serialize(new FormerInjectionDefinition("ab12", "mnist", 2000, 1960, int8, "all", InjectionMode.BitErrorRate, [1e-5, 1e-3], 100, 0, 256, defense),
            RecordJournal.Json);
        Assert.Equal(formerInjection, JsonSerializer.Serialize(injection, RecordJournal.Json));
        Assert.Equal(name, JsonSerializer.Deserialize<InjectionDefinition>(formerInjection, RecordJournal.Json)!.Encoding);
    }

    /// <summary>
    /// A journal the former build left half done — header, sites and one finished block, in the former layout — is
    /// continued: the finished block is trusted (its counts, deliberately unlike the evaluator's, survive) and the rest
    /// is evaluated.
    /// </summary>
    [Theory]
    [InlineData(true, 8)]
    [InlineData(false, 32)]
    public void AJournalOfTheFormerLayoutResumes(bool int8, int bits)
    {
        using var dir = new TempDirectory();
        var (target, sites) = FormerSites(int8, bits);
        string journal = SweepJournal.PathIn(dir.Path);
        Directory.CreateDirectory(journal);
        const int block = 64;
        long flips = target.Tensors.Sum(t => t.Length) * bits;
        var definition = new FormerSweepDefinition("c0ffee", "tiny", 10, string.Join(",", Enumerable.Range(0, bits)), "all", null, int8, 256);
        string definitionSha = Sha256(JsonSerializer.Serialize(definition));
        string sitesSha = Convert.ToHexStringLower(SHA256.HashData(sites));
        var header = new FormerJournalHeader(1, definition, definitionSha, 0, 1, block, flips, sitesSha, 8);
        File.WriteAllBytes(Path.Combine(journal, "header.json"), JsonSerializer.SerializeToUtf8Bytes(header, new JsonSerializerOptions { WriteIndented = true }));
        File.WriteAllBytes(Path.Combine(journal, "sites.bin"), sites);
        var counts = Enumerable.Repeat(5, block).ToArray();
        byte[] identity = SHA256.HashData(Encoding.UTF8.GetBytes($"1|{definitionSha}|0/1|{block}|{flips}|{sitesSha}|8"));
        var b = new byte[8 + 32 + 4 + 4 + 4 * block + 32];
        "FGJBLK01"u8.CopyTo(b);
        identity.CopyTo(b, 8);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(40), 0);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(44), block);
        MemoryMarshal.AsBytes(counts.AsSpan()).CopyTo(b.AsSpan(48));
        SHA256.HashData(b.AsSpan(0, b.Length - 32), b.AsSpan(b.Length - 32));
        File.WriteAllBytes(Path.Combine(journal, "block-00000000.bin"), b);

        var options = new SweepOptions(BitSelection.Parse("all", target.Encoding), ParameterSelection.All)
        {
            BlockSize = block, JournalDirectory = journal, Resume = true, CheckpointSha256 = "c0ffee", Dataset = "tiny", Chunk = 256,
        };
        var result = BitFlipSweep.Run(target, new ScriptedEvaluator(), options);
        Assert.Equal(block, result.Resumed);
        Assert.Equal(flips, result.Evaluated);
        Assert.All(Enumerable.Range(0, block), o => Assert.Equal(5, result.Correct(o)));
        Assert.DoesNotContain(result.Counts[block..].ToArray(), c => c == 5);
        Assert.Equal(WeightEncodings.FromInt8Flag(int8).Name, SweepJournal.ReadHeader(journal).Definition.Encoding);
        Assert.Equal(sites, File.ReadAllBytes(Path.Combine(journal, "sites.bin")));
    }
}
