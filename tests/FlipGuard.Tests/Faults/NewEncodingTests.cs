using FlipGuard.Core;
using FlipGuard.Data;
using FlipGuard.Defenses.Ecc;
using FlipGuard.Faults.Encodings;
using FlipGuard.Faults.Evaluation;
using FlipGuard.Faults.Targets;
using FlipGuard.Models;
using FlipGuard.Sweeps;
using FlipGuard.Tests.Defenses;
using FlipGuard.Training;

namespace FlipGuard.Tests.Faults;

/// <summary>
/// The weight-encoding seam holds: a format written only against <see cref="IWeightEncoding"/> — a symmetric int4
/// here, defined in this file and in no catalogue — is swept, evaluated fast and naively, and protected by ECC with
/// no change anywhere else.
/// </summary>
public sealed class NewEncodingTests
{
    /// <summary>Symmetric per-tensor int4: q = round(w / scale) in [−7, 7], scale = max|w| / 7, two's complement in bits 0–3.</summary>
    private sealed class Int4 : IWeightEncoding
    {
        public string Name => "int4";
        public int BitCount => 4;
        public int SignBit => 3;
        public IReadOnlyList<int> ExponentBits => [];
        public bool WeightsOnly => true;
        public bool Quantises => true;
        public int SiteWordBytes => 1;

        public EncodedTensor Encode(Span<float> values)
        {
            float max = 0;
            foreach (float v in values)
            {
                if (!float.IsFinite(v)) throw new FlipGuardException("int4 cannot hold NaN or Inf");
                max = Math.Max(max, Math.Abs(v));
            }
            float scale = max / 7;
            var words = new uint[values.Length];
            for (int i = 0; i < values.Length; i++)
            {
                words[i] = Store(values[i], scale);
                values[i] = Decode(words[i], scale);
            }
            return new EncodedTensor(this, scale, words);
        }

        public float Decode(uint word, float scale) => WordBits.Signed(word, 4) * scale;

        public uint Store(float value, float scale) =>
            scale == 0 || !float.IsFinite(value) ? 0 : (uint)(int)Math.Clamp(MathF.Round(value / scale), -8f, 7f) & 0xF;

        public double FlipDelta(uint word, float scale, int bit) => (double)Decode(WordBits.Flip(word, bit), scale) - Decode(word, scale);
    }

    [Fact]
    public void AnInt4WrittenOnlyAgainstTheInterfaceIsSweptExactly()
    {
        var int4 = new Int4();
        using var data = LoadedDataset.Load("mnist", null, testLimit: 200);
        var spec = DescribedChainEvaluatorTests.Described("""{"type":"flatten"},{"type":"linear","out":12},{"type":"relu"},{"type":"linear","out":10}""");
        var (model, _) = Trainer.Train(spec, new TrainingConfig { Model = spec.Architecture, Epochs = 1, TrainLimit = 1000, Seed = 4 }, TrainingData.From(data));
        using (model)
        {
            var target = FlipTarget.Create(model, int4);
            Assert.Equal(4, target.BitsPerEntry);
            Assert.Equal(["1.weight", "3.weight"], target.Tensors.Select(t => t.Name));  // weights only

            // The model now computes with the int4 values.
            foreach (var t in target.Tensors)
            {
                var words = t.Encoded.Words.Span;
                var values = t.ReadValues();
                for (int i = 0; i < values.Length; i++) Assert.Equal(int4.Decode(words[i], t.Encoded.Scale), values[i]);
            }

            var bits = BitSelection.Parse("all", int4);
            Assert.Equal([0, 1, 2, 3], bits.Bits);
            Assert.Equal([3], BitSelection.Parse("sign", int4).Bits);
            Assert.Throws<FlipGuardException>(() => BitSelection.Parse("exponent", int4));
            Assert.Equal(target.Tensors.Sum(t => t.Length) * 4, FlipSites.Create(target, bits, ParameterSelection.All, 0).Count);

            var sites = FlipSites.Create(target, bits, ParameterSelection.Parse("sample:300"), seed: 7);
            Assert.Equal(1200, sites.Count);
            var changes = new ParameterChange[sites.Count];
            for (long o = 0; o < sites.Count; o++)
            {
                var c = sites.Change(o);
                var stored = target.Tensors[c.Tensor].Encoded;
                uint word = stored.Words.Span[(int)c.Index];
                // Each site is one bit of one stored word, flipped and decoded by the encoding.
                var bit = Enumerable.Range(0, 4).Where(b => int4.Decode(WordBits.Flip(word, b), stored.Scale) == c.NewValue).ToList();
                Assert.Single(bit);
                Assert.Equal(int4.FlipDelta(word, stored.Scale, bit[0]), (double)c.NewValue - int4.Decode(word, stored.Scale), 6);
                changes[o] = c;
            }

            var (fast, name) = FlipEvaluatorFactory.Create(target, data.Test.Images, data.Test.Labels, naive: false);
            using var naive = new NaiveFlipEvaluator(target, data.Test.Images, data.Test.Labels);
            using (fast)
            {
                Assert.Equal("fast-linear", name);
                var a = new long[changes.Length];
                var b = new long[changes.Length];
                fast.Evaluate(changes, a);
                naive.Evaluate(changes, b);
                Assert.Equal(b, a);
                Assert.True(b.Count(count => count != naive.CleanCorrect) >= 10, "too few flips change the count for the comparison to mean much");
            }
        }
    }

    [Fact]
    public void EccCoversSixteenInt4EntriesPerWordAndCorrectsEverySingleFlip()
    {
        var (model, _, _) = TinyClassifier.Create();
        var int4 = new Int4();
        var target = FlipTarget.Create(model, int4);
        Assert.Equal(16, EccWords.EntriesPerWord(target));
        var ecc = new EccProtection();
        ecc.Protect(target);
        foreach (var (t, i) in DefenseCases.Entries(target))
            for (int bit = 0; bit < 4; bit++)
            {
                var stored = target.Tensors[t].Encoded;
                var fault = new ParameterChange(t, i, int4.Decode(WordBits.Flip(stored.Words.Span[(int)i], bit), stored.Scale));
                DefenseOracle.Effect(ecc, fault, out bool detected);
                Assert.True(detected);
                var (report, changed) = DefenseOracle.RepairAfter(ecc, target, fault);
                Assert.Equal((1L, 1L, 0L), (report.UnitsFlagged, report.Corrected, report.Uncorrectable));
                Assert.Empty(changed);
            }
    }
}
