using FlipGuard.Faults.Encodings;
using FlipGuard.Faults.Targets;

namespace FlipGuard.Defenses.Ecc;

/// <summary>
/// The bits memory actually holds for a parameter entry, which is what checksums and check bits cover: the stored word
/// of the tensor's encoding (<see cref="FlipTensor.Encoded"/>) — the IEEE-754 word of a float32 entry, the
/// two's-complement integer q of an int8 entry (the model computes with scale·q). Converting a live value back to its
/// word is exact for every value the encoding produced.
/// </summary>
public static class StoredWords
{
    /// <summary>The stored word of <paramref name="value"/> in <paramref name="tensor"/> (low <see cref="IWeightEncoding.BitCount"/> bits used).</summary>
    public static uint Of(FlipTensor tensor, float value) => tensor.Encoded.Store(value);

    /// <summary>The value the model computes with for stored word <paramref name="word"/>.</summary>
    public static float ValueOf(FlipTensor tensor, uint word) => tensor.Encoded.Decode(word);

    /// <summary>The stored words of all of <paramref name="tensor"/>'s live entries, flat in storage order.</summary>
    public static uint[] Read(FlipTensor tensor)
    {
        float[] values = tensor.ReadValues();
        var words = new uint[values.Length];
        tensor.Encoded.Encoding.Store(values, tensor.Encoded.Scale, words);
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
