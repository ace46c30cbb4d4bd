using FlipGuard.Attacks;
using FlipGuard.Faults.Encodings;
using FlipGuard.Faults.Targets;
using FlipGuard.Tests.Faults;
using Xunit.Abstractions;

namespace FlipGuard.Tests.Attacks;

public class BitGradientTests(ITestOutputHelper output)
{
    [Fact]
    public void Int8GainIsTheGradientTimesTheExactChangeOfTheWeight()
    {
        const float scale = 0.0137f;
        const double g = -0.75;
        for (int q = -128; q <= 127; q++)
            for (int bit = 0; bit < 8; bit++)
            {
                double change = Int8Quantizer.Dequantize(Int8Quantizer.Flip((sbyte)q, bit), scale) - (double)Int8Quantizer.Dequantize((sbyte)q, scale);
                Assert.Equal(g * change, BitGradient.Gain(g, WeightEncodings.Int8.FlipDelta((byte)(sbyte)q, scale, bit)), 1e-6);
            }
        Assert.Equal(-128, Int8Encoding.Place(7));
        Assert.Equal(64, Int8Encoding.Place(6));
    }

    /// <summary>
    /// The oracle is the flip itself: on a tiny int8 network, flip each low bit (0–3) of every weight, measure the real
    /// loss change, and compare with the bit gradient's prediction. Sign and ranking must agree.
    /// </summary>
    [Fact]
    public void BitGradientPredictsTheSignAndRankingOfRealFlips()
    {
        var (model, x, y) = TinyClassifier.Create(seed: 5, samples: 128);
        using (model)
        {
            var target = FlipTarget.Create(model, WeightEncodings.Int8);
            var weights = new WorkingWeights(target);
            double clean = BitGradient.Loss(model, x, y);
            var (loss, grads) = BitGradient.WeightGradients(target, x, y);
            Assert.Equal(clean, loss, 6);
            var predicted = new List<double>();
            var actual = new List<double>();
            for (int t = 0; t < target.Tensors.Count; t++)
                for (int i = 0; i < target.Tensors[t].Length; i++)
                    for (int bit = 0; bit < 4; bit++)
                    {
                        var a = new BitAddress(t, i, bit);
                        predicted.Add(BitGradient.Gain(grads[t][i], target.Encoding.FlipDelta(weights.Words(t)[i], target.Tensors[t].Encoded.Scale, bit)));
                        weights.SetLive(t, i, weights.FlippedValue(a));
                        actual.Add(BitGradient.Loss(model, x, y) - clean);
                        weights.RestoreLive(t, i);
                    }
            Assert.Equal(clean, BitGradient.Loss(model, x, y));
            var clear = Enumerable.Range(0, actual.Count).Where(k => Math.Abs(actual[k]) > 1e-4).ToList();
            double signAgreement = clear.Count(k => Math.Sign(actual[k]) == Math.Sign(predicted[k])) / (double)clear.Count;
            double rho = Spearman(predicted, actual);
            output.WriteLine($"{actual.Count} flips, {clear.Count} with |ΔL| > 1e-4: sign agreement {signAgreement:P1}, Spearman {rho:F3}");
            Assert.True(clear.Count > 100, $"only {clear.Count} flips move the loss");
            Assert.True(signAgreement > 0.95, $"sign agreement {signAgreement:P1}");
            Assert.True(rho > 0.9, $"Spearman {rho:F3}");
            // The flip ranked first by the gradient is among the 1% that raise the loss most.
            int top = predicted.IndexOf(predicted.Max());
            int better = actual.Count(v => v > actual[top]);
            Assert.True(better <= actual.Count / 100, $"{better} flips raise the loss more than the gradient's favourite");
        }
    }

    [Theory]
    [InlineData(true, "all")]
    [InlineData(false, "exponent")]
    [InlineData(false, "all")]
    public void CandidateRankingEqualsAFullSort(bool int8, string bits)
    {
        var (model, x, y) = TinyClassifier.Create(seed: 7, samples: 64);
        using (model)
        {
            var target = FlipTarget.Create(model, WeightEncodings.FromInt8Flag(int8));
            var weights = new WorkingWeights(target);
            var selection = BitSelection.Parse(bits, target.Encoding);
            var (_, grads) = BitGradient.WeightGradients(target, x, y);
            for (int t = 0; t < target.Tensors.Count; t++)
            {
                var all = new List<BitCandidate>();
                for (int i = 0; i < grads[t].Length; i++)
                    foreach (int bit in selection.Bits)
                    {
                        double gain = BitGradient.Gain(grads[t][i], target.Encoding.FlipDelta(weights.Words(t)[i], target.Tensors[t].Encoded.Scale, bit));
                        if (gain > 0) all.Add(new BitCandidate(new BitAddress(t, i, bit), gain));
                    }
                var flipped = all.Where((_, k) => k % 3 == 0).Take(4).Select(c => c.Address).ToHashSet();
                var expected = all.Where(c => !flipped.Contains(c.Address)).OrderByDescending(c => c.Gain).ThenBy(c => c.Address.Index).ThenBy(c => c.Address.Bit).Take(5).ToList();
                var got = CandidateRanking.Top(weights, t, grads[t], selection.Bits, 5, flipped);
                Assert.Equal(expected, got);
            }
        }
    }

    private static double Spearman(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        double[] ra = Ranks(a), rb = Ranks(b);
        double ma = ra.Average(), mb = rb.Average();
        double cov = 0, va = 0, vb = 0;
        for (int i = 0; i < ra.Length; i++) { cov += (ra[i] - ma) * (rb[i] - mb); va += (ra[i] - ma) * (ra[i] - ma); vb += (rb[i] - mb) * (rb[i] - mb); }
        return cov / Math.Sqrt(va * vb);
    }

    private static double[] Ranks(IReadOnlyList<double> v)
    {
        var order = Enumerable.Range(0, v.Count).OrderBy(i => v[i]).ToArray();
        var r = new double[v.Count];
        for (int k = 0; k < order.Length; k++) r[order[k]] = k;
        return r;
    }
}
