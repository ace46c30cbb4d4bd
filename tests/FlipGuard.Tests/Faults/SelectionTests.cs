using FlipGuard.Sweeps;
using FlipGuard.Core;
using FlipGuard.Faults.Encodings;
using FlipGuard.Faults.Targets;
using FlipGuard.Sweeps.Storage;

namespace FlipGuard.Tests.Faults;

public class SelectionTests
{
    [Theory]
    [InlineData("all", false, "0-31")]
    [InlineData("exponent", false, "23-30")]
    [InlineData("exponent-msb", false, "30")]
    [InlineData("sign", false, "31")]
    [InlineData("mantissa", false, "0-22")]
    [InlineData("0,5,30-31", false, "0,5,30,31")]
    [InlineData(" 31, 0 ,0", false, "0,31")]
    [InlineData("all", true, "0-7")]
    [InlineData("sign", true, "7")]
    [InlineData("0-2", true, "0,1,2")]
    public void BitSelectionsParse(string text, bool int8, string expected)
    {
        var want = expected.Contains('-') && !expected.Contains(',')
            ? Enumerable.Range(int.Parse(expected.Split('-')[0]), int.Parse(expected.Split('-')[1]) - int.Parse(expected.Split('-')[0]) + 1).ToArray()
            : expected.Split(',').Select(int.Parse).ToArray();
        Assert.Equal(want, BitSelection.Parse(text, WeightEncodings.FromInt8Flag(int8)).Bits);
    }

    [Theory]
    [InlineData("exponent", true)]
    [InlineData("mantissa", true)]
    [InlineData("8", true)]
    [InlineData("32", false)]
    [InlineData("31-30", false)]
    [InlineData("high", false)]
    [InlineData("", false)]
    [InlineData("-1", false)]
    public void BadBitSelectionsAreUserErrors(string text, bool int8)
    {
        var e = Assert.Throws<FlipGuardException>(() => BitSelection.Parse(text, WeightEncodings.FromInt8Flag(int8)));
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void ParameterSelectionsParseAndChooseTensors()
    {
        var (model, _, _) = TinyClassifier.Create();
        var target = FlipTarget.Create(model);
        Assert.Equal(["l1.weight", "l1.bias", "l2.weight", "l2.bias"], target.Tensors.Select(t => t.Name));
        Assert.Equal([0, 1, 2, 3], ParameterSelection.Parse("all").ChooseTensors(target));
        Assert.Equal([0, 2], ParameterSelection.Parse("weights").ChooseTensors(target));
        Assert.Equal([2, 3], ParameterSelection.Parse("layer:l2").ChooseTensors(target));
        Assert.Equal("weights/sample:7", ParameterSelection.Parse("weights/sample:7").Canonical);
        Assert.Equal("all/sample:5", ParameterSelection.Parse("sample:5").Canonical);
        Assert.Throws<FlipGuardException>(() => ParameterSelection.Parse("layer:zz").ChooseTensors(target));
        foreach (string bad in new[] { "sample:0", "sample:x", "layers", "layer:", "all/weights" })
            Assert.Throws<FlipGuardException>(() => ParameterSelection.Parse(bad));
        var int8 = FlipTarget.Create(TinyClassifier.Create().Model, WeightEncodings.Int8);
        Assert.Equal(["l1.weight", "l2.weight"], int8.Tensors.Select(t => t.Name));
    }

    [Fact]
    public void SamplesAreSortedDistinctReproducibleAndUniformish()
    {
        var a = ParameterSelection.Sample(1000, 100, 7);
        Assert.Equal(a, ParameterSelection.Sample(1000, 100, 7));
        Assert.NotEqual(a, ParameterSelection.Sample(1000, 100, 8));
        Assert.Equal(100, a.Distinct().Count());
        Assert.True(a.Zip(a.Skip(1)).All(p => p.First < p.Second));
        Assert.All(a, i => Assert.InRange(i, 0, 999));
        var hits = new int[10];
        for (ulong s = 0; s < 200; s++) foreach (long i in ParameterSelection.Sample(1000, 10, s)) hits[i / 100]++;
        Assert.All(hits, h => Assert.InRange(h, 140, 260)); // 200 per decile expected
        Assert.Equal(5, ParameterSelection.Sample(5, 50, 0).Length);
    }

    [Fact]
    public void SitesEnumerateTensorsThenIndicesThenBits()
    {
        var (model, _, _) = TinyClassifier.Create();
        var target = FlipTarget.Create(model);
        var sites = FlipSites.Create(target, BitSelection.Parse("0,31"), ParameterSelection.Parse("layer:l2"), 0);
        Assert.Equal(24 + 4, sites.Entries);
        Assert.Equal(56, sites.Count);
        float[] w = target.Tensors[2].ReadValues();
        var s0 = sites.Site(0);
        Assert.Equal((2, 0L, 0), (s0.Tensor, s0.Index, s0.Bit));
        Assert.Equal(Float32Bits.Flip(w[0], 0), s0.NewValue);
        var s1 = sites.Site(1);
        Assert.Equal((2, 0L, 31, -w[0]), (s1.Tensor, s1.Index, s1.Bit, s1.NewValue));
        var s49 = sites.Site(49);
        Assert.Equal((3, 0L, 31), (s49.Tensor, s49.Index, s49.Bit));
        Assert.Equal(new ParameterChange(3, 0, s49.NewValue), sites.Change(49));

        var sampled = FlipSites.Create(target, BitSelection.Parse("30"), ParameterSelection.Parse("sample:10"), 42);
        Assert.True(sampled.Sampled);
        Assert.Equal(10, sampled.Entries);
        Assert.Equal(48 + 6 + 24 + 4, sampled.PopulationEntries);
        var again = FlipSites.Create(target, BitSelection.Parse("30"), ParameterSelection.Parse("sample:10"), 42);
        Assert.Equal(FlipSitesFile.Serialize(sampled), FlipSitesFile.Serialize(again));
        var ords = Enumerable.Range(0, 10).Select(i => sampled.Site(i)).Select(s => (s.Tensor, s.Index)).ToList();
        Assert.Equal(ords.OrderBy(p => p.Tensor).ThenBy(p => p.Index), ords);
    }

    [Fact]
    public void Int8SitesFlipTheStoredIntegerAndTheTargetHoldsDequantisedWeights()
    {
        var (model, _, _) = TinyClassifier.Create();
        float[] before = model.parameters().First().detach().view(-1).data<float>().ToArray();
        var target = FlipTarget.Create(model, WeightEncodings.Int8);
        var t0 = target.Tensors[0];
        var q = t0.Encoded;
        Assert.Equal(before.Max(v => Math.Abs(v)) / 127f, q.Scale);
        float[] now = t0.ReadValues();
        for (int i = 0; i < now.Length; i++) Assert.Equal(q.Scale * (sbyte)q.Words.Span[i], now[i]);
        var sites = FlipSites.Create(target, BitSelection.Parse("sign", WeightEncodings.Int8), ParameterSelection.All, 0);
        Assert.Equal(48 + 24, sites.Entries);
        var s = sites.Site(3);
        Assert.Equal(Int8Quantizer.Dequantize(Int8Quantizer.Flip((sbyte)q.Words.Span[3], 7), q.Scale), s.NewValue);
        Assert.Throws<FlipGuardException>(() => FlipSites.Create(target, BitSelection.Parse("30"), ParameterSelection.All, 0));
    }
}
