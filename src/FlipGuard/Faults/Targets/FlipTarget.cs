using FlipGuard.Core;
using FlipGuard.Faults.Encodings;
using static TorchSharp.torch;

namespace FlipGuard.Faults.Targets;

/// <summary>
/// The model under attack and the tensors whose bits can flip, in model order (the order every sweep ordinal
/// follows). In int8 mode the weight tensors' values are replaced by their dequantised int8 values, so the
/// model's clean accuracy is that of the int8 model, and only those tensors are flippable; biases and
/// normalisation parameters stay float32 and are left alone.
/// </summary>
public sealed class FlipTarget
{
    private FlipTarget(nn.Module<Tensor, Tensor> model, IReadOnlyList<FlipTensor> tensors, bool int8)
    {
        (Model, Tensors, Int8) = (model, tensors, int8);
    }

    /// <summary>The model; evaluators run it and change its parameters in place (restoring them).</summary>
    public nn.Module<Tensor, Tensor> Model { get; }
    /// <summary>The flippable float32 parameter tensors, in model order.</summary>
    public IReadOnlyList<FlipTensor> Tensors { get; }
    /// <summary>Whether weights are int8 (bits 0–7 of q) rather than float32 (bits 0–31).</summary>
    public bool Int8 { get; }
    /// <summary>Bits per entry: 32, or 8 in int8 mode.</summary>
    public int BitsPerEntry => Int8 ? Int8Quantizer.Count : Float32Bits.Count;

    /// <summary>
    /// Wraps <paramref name="model"/>. With <paramref name="int8"/>, quantises its weight tensors IN PLACE (load a
    /// fresh copy if you need the float model afterwards).
    /// </summary>
    /// <exception cref="FlipGuardException">A parameter is not float32, or int8 mode finds no weight tensor.</exception>
    public static FlipTarget Create(nn.Module<Tensor, Tensor> model, bool int8 = false)
    {
        var tensors = new List<FlipTensor>();
        foreach (var (name, p) in model.named_parameters())
        {
            if (p.dtype != ScalarType.Float32)
                throw new FlipGuardException($"parameter {name} is {p.dtype}; bit-flip sweeps need float32 parameters");
            var probe = new FlipTensor(name, p, null);
            if (!int8) { tensors.Add(probe); continue; }
            if (probe.Kind != TensorKind.Weight) continue;
            tensors.Add(new FlipTensor(name, p, Quantize(p)));
        }
        if (int8 && tensors.Count == 0) throw new FlipGuardException("int8 mode: the model has no weight tensor to quantise");
        return new FlipTarget(model, tensors, int8);
    }

    /// <summary>Index of the tensor named <paramref name="name"/>, or −1.</summary>
    public int IndexOf(string name)
    {
        for (int i = 0; i < Tensors.Count; i++) if (Tensors[i].Name == name) return i;
        return -1;
    }

    private static QuantizedTensor Quantize(TorchSharp.Modules.Parameter p)
    {
        float[] w;
        using (var cpu = p.detach().cpu().contiguous().view(-1)) w = cpu.data<float>().ToArray();
        var q = new sbyte[w.Length];
        float scale = Int8Quantizer.Quantize(w, q);
        for (int i = 0; i < w.Length; i++) w[i] = Int8Quantizer.Dequantize(q[i], scale);
        using (no_grad())
        using (var values = tensor(w).reshape(p.shape).to(p.device))
            p.copy_(values);
        return new QuantizedTensor(scale, q);
    }
}
