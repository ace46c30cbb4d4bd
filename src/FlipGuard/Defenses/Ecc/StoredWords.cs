using FlipGuard.Faults.Encodings;
using FlipGuard.Faults.Targets;

namespace FlipGuard.Defenses.Ecc;

/// <summary>
/// The bits memory actually holds for a parameter entry, which is what checksums and check bits cover: the IEEE-754
/// word of a float32 entry, or the two's-complement integer q of an int8 entry (the model computes with scale·q).
/// Converting a live value back to q is exact: scale·q rounds to the float nearest it, and dividing by the scale
/// lands within far less than ½ of q for |q| ≤ 128.
/// </summary>
public static class StoredWords
{
    /// <summary>Bits per entry of <paramref name="tensor"/>: 8 for an int8 tensor, else 32.</summary>
    public static int Width(FlipTensor tensor) => tensor.Quantized is null ? Float32Bits.Count : Int8Quantizer.Count;

    /// <summary>The stored word of <paramref name="value"/> in <paramref name="tensor"/> (low <see cref="Width"/> bits used).</summary>
    public static uint Of(FlipTensor tensor, float value)
    {
        if (tensor.Quantized is not { } q) return (uint)BitConverter.SingleToInt32Bits(value);
        if (q.Scale == 0 || !float.IsFinite(value)) return 0;
        return (byte)(sbyte)Math.Clamp(MathF.Round(value / q.Scale), -128f, 127f);
    }

    /// <summary>The value the model computes with for stored word <paramref name="word"/>.</summary>
    public static float ValueOf(FlipTensor tensor, uint word) =>
        tensor.Quantized is { } q ? Int8Quantizer.Dequantize(unchecked((sbyte)(byte)word), q.Scale) : BitConverter.Int32BitsToSingle((int)word);

    /// <summary>The word as a signed integer (int8: q itself; float32: the word's bits), the unit checksums add up.</summary>
    public static int Signed(FlipTensor tensor, uint word) => tensor.Quantized is null ? unchecked((int)word) : unchecked((sbyte)(byte)word);

    /// <summary>The stored words of all of <paramref name="tensor"/>'s live entries, flat in storage order.</summary>
    public static uint[] Read(FlipTensor tensor)
    {
        float[] values = tensor.ReadValues();
        var words = new uint[values.Length];
        for (int i = 0; i < values.Length; i++) words[i] = Of(tensor, values[i]);
        return words;
    }

    /// <summary>Writes <paramref name="values"/> (flat) into the live parameter.</summary>
    public static void Write(FlipTensor tensor, float[] values)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        using var noGrad = TorchSharp.torch.no_grad();
        var p = tensor.Parameter;
        p.copy_(TorchSharp.torch.tensor(values).reshape(p.shape).to(p.device));
    }
}
