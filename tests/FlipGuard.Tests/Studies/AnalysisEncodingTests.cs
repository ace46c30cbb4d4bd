using System.Text.Json;
using FlipGuard.Checkpoints;
using FlipGuard.Core;
using FlipGuard.Faults.Encodings;
using FlipGuard.Studies;
using FlipGuard.Studies.Analyses;

namespace FlipGuard.Tests.Studies;

/// <summary>
/// The sweep, attack and injection analyses name their weight encoding by <c>encoding:</c> or by the flag they had
/// before (<c>int8:</c>, <c>float32:</c>), and hash it exactly as the flag was hashed, so cached study results keep
/// their keys.
/// </summary>
public sealed class AnalysisEncodingTests
{
    // The settings records as they were when the encoding was a bool flag.
    private sealed record FormerSweep(string Bits, string Parameters, int Limit, bool Int8, long Seed, int Chunk, int BlockSize);
    private sealed record FormerInjection(IReadOnlyList<double> Rates, int Trials, bool Int8, string Bits, long Seed, int Limit, int Chunk);
    private sealed record FormerAttack(int Seeds, long Seed, int TopK, int Batch, int MaxFlips, double? TargetAccuracy, bool Float32, string Bits, int Limit, int Chunk);

    private static object Settings(string analysis, string body) =>
        StudyConfig.Parse($"name: t\nrecipes:\n  - name: p\nanalyses:\n  {analysis}:\n{body}", "s.yaml", Path.GetTempPath()).Analyses[0].Settings;

    private static string Json(object o) => JsonSerializer.Serialize(o, o.GetType(), CheckpointFile.JsonOptions);

    [Theory]
    [InlineData("", false)]
    [InlineData("    int8: true\n", true)]
    [InlineData("    encoding: int8\n", true)]
    [InlineData("    encoding: float32\n", false)]
    public void TheSweepSettingsHashAsTheFlagDid(string body, bool int8)
    {
        var s = Assert.IsType<SweepStudySettings>(Settings("sweep", body));
        Assert.Equal(int8 ? "int8" : "float32", s.Encoding);
        Assert.Equal(Json(new FormerSweep("all", "all", 0, int8, 0, 1000, 4096)), Json(s));
    }

    [Theory]
    [InlineData("", false)]
    [InlineData("    int8: true\n", true)]
    [InlineData("    encoding: int8\n", true)]
    public void TheInjectionSettingsHashAsTheFlagDid(string body, bool int8)
    {
        var s = Assert.IsType<InjectionStudySettings>(Settings("injection", body));
        Assert.Equal(Json(new FormerInjection(InjectionStudySettings.DefaultRates, 100, int8, "all", 0, 0, 1000)), Json(s));
    }

    [Theory]
    [InlineData("", false, "all")]
    [InlineData("    float32: true\n", true, "exponent")]
    [InlineData("    encoding: float32\n", true, "exponent")]
    [InlineData("    encoding: int8\n", false, "all")]
    public void TheAttackSettingsHashAsTheFlagDid(string body, bool float32, string bits)
    {
        var s = Assert.IsType<AttackStudySettings>(Settings("attack", body));
        Assert.Equal(float32 ? "float32" : "int8", s.Encoding);
        Assert.Equal(Json(new FormerAttack(5, 0, 10, 128, 100, null, float32, bits, 0, 1000)), Json(s));
    }

    [Fact]
    public void TheFlagAndTheNameMustAgree()
    {
        var e = Assert.Throws<FlipGuardException>(() => Settings("sweep", "    int8: true\n    encoding: float32\n"));
        Assert.Contains("analyses.sweep.int8 means encoding int8, but analyses.sweep.encoding is float32", e.Message, StringComparison.Ordinal);
        var unknown = Assert.Throws<FlipGuardException>(() => Settings("injection", "    encoding: bfloat16\n"));
        Assert.Contains("unknown weight encoding 'bfloat16'; known: float32, int8", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnEncodingWithoutAFlagIsWrittenByName()
    {
        var converter = new EncodingFlagJsonConverter();
        var options = new JsonSerializerOptions { Converters = { converter } };
        Assert.Equal("\"bfloat16\"", JsonSerializer.Serialize("bfloat16", options));
        Assert.Equal("true", JsonSerializer.Serialize(WeightEncodings.Int8.Name, options));
        var float32Flag = new JsonSerializerOptions { Converters = { new EncodingFlagJsonConverter.Float32Flag() } };
        Assert.Equal("true", JsonSerializer.Serialize(WeightEncodings.Float32.Name, float32Flag));
        Assert.Equal("int8", JsonSerializer.Deserialize<string>("false", float32Flag));
    }
}
