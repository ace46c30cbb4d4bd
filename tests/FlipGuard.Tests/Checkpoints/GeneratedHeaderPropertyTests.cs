using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using FlipGuard.Checkpoints;
using FlipGuard.Core;
using FlipGuard.Models;

namespace FlipGuard.Tests.Checkpoints;

/// <summary>
/// Property-based layer over the checkpoint header (issue 21): any field of a valid header replaced by a generated
/// value of any JSON kind — extreme numbers, NaN text, nulls, strings, arrays, nested objects — is either read or
/// refused with one <see cref="FlipGuardException"/> line; never another exception. CsCheck shrinks a failure to the
/// smallest such edit and prints its seed.
/// </summary>
public class GeneratedHeaderPropertyTests
{
    private static readonly Gen<JsonNode?> Value = Gen.Frequency(
        (3, Gen.Long.Select(v => (JsonNode?)JsonValue.Create(v))),
        (2, Gen.Double.Select(v => double.IsFinite(v) ? (JsonNode?)JsonValue.Create(v) : JsonValue.Create(v.ToString(System.Globalization.CultureInfo.InvariantCulture)))),
        (2, Gen.Int[-3, 3].Select(v => (JsonNode?)JsonValue.Create(v))),
        (1, Gen.Int[0, 0].Select(_ => (JsonNode?)null)),
        (2, Gen.String.Select(v => (JsonNode?)JsonValue.Create(v))),
        (1, Gen.Bool.Select(v => (JsonNode?)JsonValue.Create(v))),
        (1, Gen.Long.Array[0, 4].Select(v => (JsonNode?)new JsonArray(v.Select(x => (JsonNode?)JsonValue.Create(x)).ToArray()))),
        (1, Gen.Int[0, 0].Select(_ => (JsonNode?)new JsonObject { ["x"] = 1 })));

    [Fact]
    public void AnyFieldReplacedByAnyValueIsReadOrRefusedInOneLine()
    {
        using var dir = new TempDirectory();
        var spec = new ModelSpec("mlp", 1, 4, 4, 10);
        string valid = dir.File("valid.fgc");
        using (var model = spec.Create(seed: 1))
            CheckpointFile.Save(valid, model, new CheckpointMetadata
            {
                Model = spec, NormalizationMean = [0.1f], NormalizationStd = [0.3f], CleanAccuracy = 0.5, Training = new FlipGuard.Training.TrainingConfig(),
            });
        byte[] bytes = File.ReadAllBytes(valid);
        int length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8));
        var original = JsonNode.Parse(bytes.AsSpan(12, length))!.AsObject();
        var paths = Paths(original, "").ToArray();
        int n = 0;
        Gen.Select(Gen.Int[0, paths.Length - 1], Value, Gen.Bool).Sample((at, value, dropHash) =>
        {
            var header = original.DeepClone().AsObject();
            if (dropHash) header["headerSha256"] = "";
            Set(header, paths[at], value?.DeepClone());
            string path = dir.File($"case{Interlocked.Increment(ref n)}.fgc"); // CsCheck samples on several threads at once
            HostileCheckpointHeaderTests.WriteWithHeader(bytes, header, path);
            try
            {
                CheckpointFile.Load(path).Model.Dispose();
                return true;
            }
            catch (FlipGuardException e)
            {
                return !e.Message.Contains('\n');
            }
            finally
            {
                File.Delete(path);
            }
        }, iter: 400, seed: "000fACAxpjN1");
        Assert.True(n >= 400, $"{n} cases ran");
    }

    /// <summary>Every property path of the header, objects and array elements included ("model.height", "tensors.0.shape").</summary>
    private static IEnumerable<string> Paths(JsonNode node, string prefix)
    {
        if (node is JsonObject o)
            foreach (var (k, v) in o)
            {
                string p = prefix + k;
                yield return p;
                if (v is not null) foreach (string c in Paths(v, p + ".")) yield return c;
            }
        else if (node is JsonArray a)
            for (int i = 0; i < a.Count; i++)
            {
                string p = prefix + i;
                yield return p;
                if (a[i] is { } v) foreach (string c in Paths(v, p + ".")) yield return c;
            }
    }

    private static void Set(JsonObject root, string path, JsonNode? value)
    {
        string[] parts = path.Split('.');
        JsonNode node = root;
        foreach (string part in parts[..^1]) node = node is JsonArray arr ? arr[int.Parse(part, System.Globalization.CultureInfo.InvariantCulture)]! : node[part]!;
        if (node is JsonArray array) array[int.Parse(parts[^1], System.Globalization.CultureInfo.InvariantCulture)] = value;
        else node[parts[^1]] = value;
    }
}
