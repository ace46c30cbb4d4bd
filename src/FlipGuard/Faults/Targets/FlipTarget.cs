using FlipGuard.Core;
using FlipGuard.Faults.Encodings;
using static TorchSharp.torch;

namespace FlipGuard.Faults.Targets;

/// <summary>
/// The model under attack and the tensors whose bits can flip, in model order (the order every sweep ordinal
/// follows), all stored in one weight encoding. An encoding that quantises (int8) replaces the tensors' values by
/// their decoded values, so the model's clean accuracy is that of the quantised model; one that stores weight tensors
/// only (int8) leaves biases and normalisation parameters float32 and out of reach.
/// </summary>
public sealed class FlipTarget
{
    private FlipTarget(nn.Module<Tensor, Tensor> model, IReadOnlyList<FlipTensor> tensors, IWeightEncoding encoding)
    {
        (Model, Tensors, Encoding) = (model, tensors, encoding);
    }

    /// <summary>The model; evaluators run it and change its parameters in place (restoring them).</summary>
    public nn.Module<Tensor, Tensor> Model { get; }
    /// <summary>The flippable float32 parameter tensors, in model order.</summary>
    public IReadOnlyList<FlipTensor> Tensors { get; }
    /// <summary>How the flippable tensors are stored: float32 (bits 0–31) or int8 (bits 0–7 of q).</summary>
    public IWeightEncoding Encoding { get; }
    /// <summary>Bits per entry (<see cref="IWeightEncoding.BitCount"/>): 32, or 8 for int8.</summary>
    public int BitsPerEntry => Encoding.BitCount;

    /// <summary>
    /// Wraps <paramref name="model"/> with its tensors stored as <paramref name="encoding"/> (default float32). An
    /// encoding that quantises (int8) rewrites the model's tensors IN PLACE (load a fresh copy if you need the float
    /// model afterwards).
    /// </summary>
    /// <exception cref="FlipGuardException">A parameter is not float32, or a weights-only encoding (int8) finds no weight tensor.</exception>
    public static FlipTarget Create(nn.Module<Tensor, Tensor> model, IWeightEncoding? encoding = null)
    {
        encoding ??= WeightEncodings.Float32;
        var tensors = new List<FlipTensor>();
        foreach (var (name, p) in model.named_parameters())
        {
            if (p.dtype != ScalarType.Float32)
                throw new FlipGuardException($"parameter {name} is {p.dtype}; bit-flip sweeps need float32 parameters");
            if (encoding.WeightsOnly && FlipTensor.KindOf(name, p) != TensorKind.Weight) continue;
            tensors.Add(new FlipTensor(name, p, Encode(p, encoding)));
        }
        if (encoding.WeightsOnly && tensors.Count == 0) throw new FlipGuardException($"{encoding.Name} mode: the model has no weight tensor to quantise");
        return new FlipTarget(model, tensors, encoding);
    }

    /// <summary>Index of the tensor named <paramref name="name"/>, or −1.</summary>
    public int IndexOf(string name)
    {
        for (int i = 0; i < Tensors.Count; i++) if (Tensors[i].Name == name) return i;
        return -1;
    }

    private static EncodedTensor Encode(TorchSharp.Modules.Parameter p, IWeightEncoding encoding)
    {
        float[] w;
        using (var cpu = p.detach().cpu().contiguous().view(-1)) w = cpu.data<float>().ToArray();
        var encoded = encoding.Encode(w);
        if (encoding.Quantises)
        {
            using (no_grad())
            using (var values = tensor(w).reshape(p.shape).to(p.device))
                p.copy_(values);
        }
        return encoded;
    }
}
