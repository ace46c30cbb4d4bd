using FlipGuard.Interop;
using FlipGuard.Models;
using FlipGuard.Models.Described;
using static TorchSharp.torch;

namespace FlipGuard.Tests.Interop;

/// <summary>The files Fixtures/pytorch/make_fixture.py wrote with PyTorch 1.13: descriptions, state dicts, inputs and logits.</summary>
internal static class PyTorchFixture
{
    public static string Dir { get; } = Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch");

    public static string File(string name) => Path.Combine(Dir, name);

    public static ModelSpec Spec(string name) =>
        ModelSpec.Described(ArchitectureDescription.Load(File(name + ".json")), 1, 28, 28, 10);

    public static Tensor Input(string name) => Floats(name + ".input.f32").reshape(4, 1, 28, 28);

    public static float[] Logits(string name) => Read(name + ".logits.f32");

    public static float[] Forward(nn.Module<Tensor, Tensor> model, Tensor x)
    {
        model.eval();
        using var _ = no_grad();
        using var y = model.forward(x);
        return y.contiguous().data<float>().ToArray();
    }

    public static float MaxAbsDiff(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        return a.Zip(b, (p, q) => Math.Abs(p - q)).Max();
    }

    private static Tensor Floats(string file) => tensor(Read(file));

    private static float[] Read(string file)
    {
        byte[] bytes = System.IO.File.ReadAllBytes(File(file));
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray();
    }

    public static (nn.Module<Tensor, Tensor> Model, ImportResult Result) Import(string name, string file, WeightFormat? format = null) =>
        ModelImporter.Import(WeightFile.Read(File(file), format), Spec(name));
}
