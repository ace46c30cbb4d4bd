using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using FlipGuard.Checkpoints;
using FlipGuard.Core;
using FlipGuard.Models;
using FlipGuard.Models.Zoo;

namespace FlipGuard.Tests.Checkpoints;

/// <summary>
/// Hand-edited and hostile checkpoint headers (issue 21): each must end in a <see cref="FlipGuardException"/> naming
/// the problem, before any allocation the header asks for — never a null dereference, an overflow or a model built
/// with an impossible input — and a header edit that changes the model's function must not pass silently.
/// </summary>
public class HostileCheckpointHeaderTests
{
    private static readonly ModelSpec Spec = new("mlp", 1, 28, 28, 10);

    private static string SaveValid(TempDirectory dir)
    {
        string path = dir.File("valid.fgc");
        using var model = Spec.Create(seed: 1);
        CheckpointFile.Save(path, model, new CheckpointMetadata
        {
            Model = Spec, Dataset = "mnist", NormalizationMean = [0.1307f], NormalizationStd = [0.3081f], CleanAccuracy = 0.9,
            Training = new FlipGuard.Training.TrainingConfig { Model = "mlp" },
        });
        return path;
    }

    /// <summary>Rewrites the header of <paramref name="path"/> with <paramref name="edit"/> applied, keeping the data region.</summary>
    private static string Edit(string path, string name, Action<JsonObject> edit, bool dropHeaderHash = true)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8));
        var header = JsonNode.Parse(bytes.AsSpan(12, length))!.AsObject();
        if (dropHeaderHash) header["headerSha256"] = ""; // reach the range checks, as a pre-hash checkpoint would
        edit(header);
        string target = Path.Combine(Path.GetDirectoryName(path)!, name + ".fgc");
        WriteWithHeader(bytes, header, target);
        return target;
    }

    /// <summary>Writes checkpoint <paramref name="original"/> (its bytes) to <paramref name="target"/> with <paramref name="header"/> instead of its own.</summary>
    internal static void WriteWithHeader(byte[] original, JsonObject header, string target)
    {
        int length = BinaryPrimitives.ReadInt32LittleEndian(original.AsSpan(8));
        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        using var fs = File.Create(target);
        fs.Write(original.AsSpan(0, 8));
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(len, json.Length);
        fs.Write(len);
        fs.Write(json);
        fs.Write(original.AsSpan(12 + length));
    }

    private static JsonObject Model(JsonObject h) => h["model"]!.AsObject();
    private static JsonObject FirstTensor(JsonObject h) => h["tensors"]![0]!.AsObject();

    public static TheoryData<string, Action<JsonObject>, string> Edits => new()
    {
        { "negative height", h => Model(h)["height"] = -5, "-5×28 pixels" },
        { "huge height", h => Model(h)["height"] = 1_000_000_000, "1000000000×28 pixels" },
        { "zero channels", h => Model(h)["channels"] = 0, "0 channels" },
        { "too many values", h => { Model(h)["height"] = 8192; Model(h)["width"] = 8192; Model(h)["channels"] = 8; }, "more than" },
        { "one class", h => Model(h)["classes"] = 1, "1 classes" },
        { "no architecture", h => Model(h)["architecture"] = null, "names no architecture" },
        { "unknown architecture", h => Model(h)["architecture"] = "zzz", "'zzz', which is neither built in" },
        { "model null", h => h["model"] = null, "lacks the model description" },
        { "tensors null", h => h["tensors"] = null, "'tensors' is null" },
        { "tensor entry null", h => h["tensors"]![0] = null, "null entry" },
        { "shape null", h => FirstTensor(h)["shape"] = null, "has no shape" },
        { "negative dimension", h => FirstTensor(h)["shape"] = new JsonArray(-300, 784), "impossible shape" },
        { "shape overflows", h => FirstTensor(h)["shape"] = new JsonArray(1L << 40, 1L << 40), "overflows" },
        { "length overflows", h => FirstTensor(h)["length"] = long.MaxValue, "declares 9223372036854775807 bytes" },
        { "length huge", h => FirstTensor(h)["length"] = 1L << 40, "declares 1099511627776 bytes" },
        { "offset wrong", h => h["tensors"]![1]!["offset"] = 4, "inconsistent" },
        { "unknown dtype", h => FirstTensor(h)["dType"] = "float16", "element type 'float16'" },
        { "dtype null", h => FirstTensor(h)["dType"] = null, "element type ''" },
        { "name null", h => FirstTensor(h)["name"] = null, "without a name" },
        { "duplicate name", h => h["tensors"]![1]!["name"] = FirstTensor(h)["name"]!.GetValue<string>(), "twice" },
        { "std zero", h => h["normalizationStd"] = new JsonArray(0f), "not a positive finite number" },
        { "std negative", h => h["normalizationStd"] = new JsonArray(-1f), "not a positive finite number" },
        { "std NaN", h => h["normalizationStd"] = new JsonArray("NaN"), "not a positive finite number" },
        { "std null", h => h["normalizationStd"] = null, "'normalizationStd' is null" },
        { "mean infinite", h => h["normalizationMean"] = new JsonArray("Infinity"), "not a finite number" },
        { "two means for one channel", h => h["normalizationMean"] = new JsonArray(0.1f, 0.2f), "2 normalisation means and 1" },
        { "accuracy above one", h => h["cleanAccuracy"] = 3.5, "not a fraction" },
        { "accuracy NaN", h => h["cleanAccuracy"] = "NaN", "not a fraction" },
        { "negative samples", h => h["cleanAccuracySamples"] = -1, "negative" },
        { "recipe impossible", h => h["training"]!["epochs"] = -1, "--epochs must be at least 1" },
        { "weights hash not hex", h => h["weightsSha256"] = "xyz", "'weightsSha256'" },
        { "header hash null", h => h["headerSha256"] = null, "'headerSha256'" },
        { "format version text", h => h["formatVersion"] = "one", "not valid" },
        { "format version 7", h => h["formatVersion"] = 7, "format 7 is not supported" },
        { "height as text", h => Model(h)["height"] = "28", "not valid" },
        { "header is empty", h => h.Clear(), "model" },
    };

    [Theory]
    [MemberData(nameof(Edits))]
    public void HostileHeaderIsRefusedWithOneSentence(string what, Action<JsonObject> edit, string expected)
    {
        using var dir = new TempDirectory();
        string path = Edit(SaveValid(dir), "hostile", edit);
        var e = Assert.Throws<FlipGuardException>(() => CheckpointFile.Load(path));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.StartsWith(path, e.Message);
        Assert.Throws<FlipGuardException>(() => CheckpointFile.ReadMetadata(path)); // header readers fail the same way
        _ = what;
    }

    [Theory]
    [InlineData("normalizationStd")]
    [InlineData("normalizationMean")]
    [InlineData("height")]
    [InlineData("cleanAccuracy")]
    [InlineData("epochs")]
    public void AnEditedFieldBehindTheHeaderHashIsRefused(string field)
    {
        using var dir = new TempDirectory();
        string path = Edit(SaveValid(dir), "edited", h =>
        {
            switch (field)
            {
                case "normalizationStd": h[field] = new JsonArray(3.0f); break; // the edit that gave 93.20% instead of 96.50%
                case "normalizationMean": h[field] = new JsonArray(0.2f); break;
                case "height": Model(h)["height"] = 27; break;
                case "cleanAccuracy": h[field] = 0.99; break;
                default: h["training"]![field] = 40; break;
            }
        }, dropHeaderHash: false);
        var e = Assert.Throws<FlipGuardException>(() => CheckpointFile.ReadMetadata(path));
        Assert.Contains("header's SHA-256 does not match", e.Message);
    }

    [Fact]
    public void AHeaderWithoutItsHashStillLoadsAndSaysSo()
    {
        using var dir = new TempDirectory();
        string valid = SaveValid(dir);
        Assert.True(CheckpointFile.ReadMetadata(valid).HeaderHashed);
        var (meta, model) = CheckpointFile.Load(Edit(valid, "legacy", _ => { }));
        model.Dispose();
        Assert.False(meta.HeaderHashed);
    }

    [Fact]
    public void EveryBuiltInArchitecturesHeaderVerifiesAfterARoundTrip()
    {
        using var dir = new TempDirectory();
        foreach (var (name, _) in ModelZoo.Architectures)
        {
            var spec = new ModelSpec(name, 3, 32, 32, 10);
            string path = dir.File(name + ".fgc");
            using (var model = spec.Create(seed: 2))
                CheckpointFile.Save(path, model, new CheckpointMetadata { Model = spec, NormalizationMean = [0.1f, 0.2f, 0.3f], NormalizationStd = [0.3f, 0.2f, 0.1f] });
            Assert.True(CheckpointFile.ReadMetadata(path).HeaderHashed, name);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(10)]
    [InlineData(11)]
    public void ShortFilesWithTheRightMagicAreCalledTruncated(int keep)
    {
        using var dir = new TempDirectory();
        byte[] bytes = File.ReadAllBytes(SaveValid(dir));
        string path = dir.File("short.fgc");
        File.WriteAllBytes(path, bytes[..keep]);
        var e = Assert.Throws<FlipGuardException>(() => CheckpointFile.ReadMetadata(path));
        Assert.Contains(keep == 0 ? "bad magic" : "truncated", e.Message);
    }
}
