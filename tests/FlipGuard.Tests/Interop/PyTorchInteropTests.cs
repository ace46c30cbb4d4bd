using FlipGuard.Interop;

namespace FlipGuard.Tests.Interop;

/// <summary>State dicts and ONNX files written by PyTorch itself load into the matching FlipGuard model with the same outputs.</summary>
public class PyTorchInteropTests
{
    // PyTorch 1.13 and libtorch 2.10 may pick different kernels (e.g. for convolutions): allow float32 rounding, no more.
    private const float Tolerance = 2e-6f;

    [Theory]
    [InlineData("tiny-mlp", "tiny-mlp.pt", 4)]
    [InlineData("tiny-cnn", "tiny-cnn.pt", 17)]
    [InlineData("tiny-mlp", "tiny-mlp.onnx", 4)]
    public void PyTorchFileGivesPyTorchsLogits(string arch, string file, int tensors)
    {
        var (model, result) = PyTorchFixture.Import(arch, file);
        using (model)
        {
            Assert.Equal(tensors, result.Tensors);
            using var x = PyTorchFixture.Input(arch);
            float[] ours = PyTorchFixture.Forward(model, x), theirs = PyTorchFixture.Logits(arch);
            Assert.True(PyTorchFixture.MaxAbsDiff(ours, theirs) <= Tolerance, $"max |Δ logit| {PyTorchFixture.MaxAbsDiff(ours, theirs):G3}");
            Assert.Equal(ArgMax(theirs), ArgMax(ours));
        }
    }

    [Fact]
    public void BatchNormStatisticsAndNonContiguousTensorsComeThrough()
    {
        var file = WeightFile.Read(PyTorchFixture.File("tiny-cnn.pt"));
        var mean = file.Tensors.Single(t => t.Name == "1.running_mean");
        Assert.DoesNotContain(0f, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(mean.Data).ToArray());
        var counter = file.Tensors.Single(t => t.Name == "1.num_batches_tracked");
        Assert.Equal((TensorDType.Int64, 0), (counter.DType, counter.Shape.Length));
        Assert.Equal(3L, BitConverter.ToInt64(counter.Data));
        // head.weight was saved as a transposed view; gathered row-major it must equal what the logits need (checked above)
        // and differ from the raw storage order.
        var head = file.Tensors.Single(t => t.Name == "head.weight");
        Assert.Equal(new long[] { 10, 128 }, head.Shape);
    }

    [Fact]
    public void MismatchedFileNamesEveryDifferingTensor()
    {
        var e = Assert.Throws<WeightMismatchException>(() => PyTorchFixture.Import("tiny-cnn", "tiny-mlp.pt"));
        Assert.Contains("does not match architecture tiny-cnn", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(["fc1.bias", "fc1.weight", "fc2.bias", "fc2.weight"], e.Unexpected.Select(t => t.Name).Order());
        Assert.Contains(e.Missing, t => t.Name == "head.weight" && t.ModelShape!.SequenceEqual(new long[] { 10, 128 }));
        Assert.Contains("… ", e.Message); // more than four missing: the line is truncated
    }

    [Fact]
    public void ShapeDifferencesAreReportedWithBothShapes()
    {
        string json = File.ReadAllText(PyTorchFixture.File("tiny-mlp.json")).Replace("\"out\": 16", "\"out\": 32");
        var spec = FlipGuard.Models.ModelSpec.Described(FlipGuard.Models.Described.ArchitectureDescription.Parse(json, "wide.json"), 1, 28, 28, 10);
        var e = Assert.Throws<WeightMismatchException>(() => ModelImporter.Import(WeightFile.Read(PyTorchFixture.File("tiny-mlp.pt")), spec));
        Assert.Empty(e.Missing);
        Assert.Empty(e.Unexpected);
        Assert.Equal(["fc1.bias", "fc1.weight", "fc2.weight"], e.Different.Select(t => t.Name).Order());
        Assert.Contains("fc1.weight: file float32[16,784], model float32[32,784]", e.Message);
    }

    private static int ArgMax(float[] logits) =>
        Enumerable.Range(0, logits.Length / 10).Select(r => Enumerable.Range(0, 10).MaxBy(c => logits[r * 10 + c])).Aggregate(0, (h, v) => h * 10 + v);
}
