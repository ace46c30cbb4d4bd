using FlipGuard.Checkpoints;
using FlipGuard.Core;
using FlipGuard.Interop;
using FlipGuard.Interop.Onnx;
using FlipGuard.Models;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static TorchSharp.torch;

namespace FlipGuard.Tests.Interop;

/// <summary>Checkpoint → export → import gives bit-identical logits; ONNX exports give the same logits in ONNX Runtime.</summary>
public class RoundTripTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string model in new[] { "mlp", "lenet5", "vgg-small", "resnet20", "tiny-cnn" })
            foreach (string format in new[] { "pt", "safetensors", "onnx" })
                if (!(model == "resnet20" && format == "onnx")) data.Add(model, format);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ExportThenImportGivesIdenticalLogits(string model, string format)
    {
        using var dir = new TempDirectory();
        var spec = Spec(model);
        string ckpt = dir.File("model.fgc");
        using (var original = spec.Create(seed: 5))
        {
            Perturb(original);
            CheckpointFile.Save(ckpt, original, new CheckpointMetadata { Model = spec, Dataset = "mnist" });
        }
        string exported = dir.File("model." + (format == "pt" ? "pt" : format));
        var export = ModelExporter.Export(ckpt, WeightFormats.Parse(format), exported);
        Assert.Equal(spec.Architecture, export.Architecture);
        // pt carries no metadata, so the architecture is given; safetensors and onnx name it themselves.
        var (imported, result) = ModelImporter.Import(WeightFile.Read(exported), format == "pt" ? spec : null);
        var (_, reloaded) = CheckpointFile.Load(ckpt);
        using (imported)
        using (reloaded)
        {
            Assert.Equal(spec, result.Model);
            using var x = randn(3, spec.Channels, spec.Height, spec.Width, generator: new Generator(1));
            float[] a = PyTorchFixture.Forward(reloaded, x), b = PyTorchFixture.Forward(imported, x);
            Assert.Equal(a, b);
            foreach (var ((name, p), (_, q)) in reloaded.state_dict().Zip(imported.state_dict()))
                if (!name.EndsWith("num_batches_tracked")) Assert.True(p.equal(q).all().item<bool>(), name);
        }
    }

    [Theory]
    [InlineData("mlp")]
    [InlineData("lenet5")]
    [InlineData("vgg-small")]
    [InlineData("tiny-cnn")]
    public void OnnxRuntimeReproducesTheLogits(string model)
    {
        using var dir = new TempDirectory();
        var spec = Spec(model);
        using var net = spec.Create(seed: 6);
        Perturb(net);
        string path = dir.File("model.onnx");
        OnnxExporter.Write(path, spec, StoredTensor.FromModule(net));
        using var x = randn(5, spec.Channels, spec.Height, spec.Width, generator: new Generator(2));
        float[] ours = PyTorchFixture.Forward(net, x);
        using var session = new InferenceSession(path);
        var input = new DenseTensor<float>(x.data<float>().ToArray(), [5, spec.Channels, spec.Height, spec.Width]);
        using var outputs = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExporter.InputName, input)]);
        float[] theirs = outputs.Single().AsTensor<float>().ToArray();
        float scale = ours.Max(Math.Abs);
        Assert.True(PyTorchFixture.MaxAbsDiff(ours, theirs) <= 1e-5f * Math.Max(1, scale), $"max |Δ| {PyTorchFixture.MaxAbsDiff(ours, theirs):G3} (logit scale {scale:G3})");
    }

    [Fact]
    public void OnnxExportOfResNet20IsAClearError()
    {
        using var dir = new TempDirectory();
        var spec = new ModelSpec("resnet20", 3, 32, 32, 10);
        using var net = spec.Create();
        var e = Assert.Throws<FlipGuardException>(() => OnnxExporter.Write(dir.File("r.onnx"), spec, StoredTensor.FromModule(net)));
        Assert.Contains("resnet20", e.Message);
    }

    internal static ModelSpec Spec(string model) => model switch
    {
        "tiny-cnn" => PyTorchFixture.Spec("tiny-cnn"),
        "resnet20" or "vgg-small" => new ModelSpec(model, 3, 32, 32, 10),
        _ => new ModelSpec(model, 1, 28, 28, 10),
    };

    /// <summary>Moves batch-norm statistics off their defaults so the export must carry them.</summary>
    internal static void Perturb(nn.Module model)
    {
        using var _ = no_grad();
        var g = new Generator(11);
        foreach (var (name, t) in model.state_dict())
        {
            if (name.EndsWith("running_mean")) t.copy_(randn(t.shape, generator: g) * 0.1);
            else if (name.EndsWith("running_var")) t.copy_(rand(t.shape, generator: g) + 0.5);
            else if (name.EndsWith("num_batches_tracked")) t.fill_(7);
        }
    }
}
