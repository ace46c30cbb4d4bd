using FlipGuard.Faults.Encodings;
using static TorchSharp.torch;

namespace FlipGuard.Faults.Targets;

/// <summary>
/// The weights of a <see cref="FlipTarget"/> as the bits currently stand, kept in flat arrays beside the live
/// parameters: the clean values and stored words, the current ones, and the means to flip a bit, try a value, reset
/// or rewrite everything. A flip inverts a bit of the stored word (int8: q; float32: the IEEE word) and the value is
/// the word decoded, so several flips of one entry compose, which is what lets an attack accumulate flips and an
/// injection trial flip many bits at once.
/// </summary>
public sealed class WorkingWeights
{
    private readonly float[][] clean, current;
    private readonly uint[][] cleanWords, currentWords;

    /// <summary>Snapshots <paramref name="target"/>'s current (clean) values and its encoded words.</summary>
    public WorkingWeights(FlipTarget target)
    {
        Target = target;
        int n = target.Tensors.Count;
        (clean, current, cleanWords, currentWords) = (new float[n][], new float[n][], new uint[n][], new uint[n][]);
        for (int t = 0; t < n; t++)
        {
            var tensor = target.Tensors[t];
            clean[t] = tensor.ReadValues();
            current[t] = (float[])clean[t].Clone();
            cleanWords[t] = tensor.Encoded.Words.ToArray();
            currentWords[t] = (uint[])cleanWords[t].Clone();
        }
    }

    /// <summary>The model and its flippable tensors.</summary>
    public FlipTarget Target { get; }

    /// <summary>Current values of tensor <paramref name="t"/>, flat.</summary>
    public ReadOnlySpan<float> Values(int t) => current[t];

    /// <summary>Current stored words of tensor <paramref name="t"/>, flat (int8: q in the low 8 bits).</summary>
    public ReadOnlySpan<uint> Words(int t) => currentWords[t];

    /// <summary>The current stored integer of an entry in an integer format (int8: q); null for a floating-point format.</summary>
    public int? StoredInteger(int t, long index) =>
        Target.Encoding.IsInteger ? WordBits.Signed(currentWords[t][checked((int)index)], Target.Encoding.BitCount) : null;

    /// <summary>The value entry (<paramref name="a"/>.Tensor, .Index) would hold with bit <paramref name="a"/>.Bit flipped from its current state.</summary>
    public float FlippedValue(BitAddress a) =>
        Target.Tensors[a.Tensor].Encoded.Decode(WordBits.Flip(currentWords[a.Tensor][checked((int)a.Index)], a.Bit));

    /// <summary>
    /// Flips the bit for good and returns the entry's old and new values. With <paramref name="writeLive"/> off only the
    /// arrays change (flip many bits, then <see cref="WriteAll"/> once).
    /// </summary>
    public (float Old, float New) Flip(BitAddress a, bool writeLive = true)
    {
        int i = checked((int)a.Index);
        uint word = WordBits.Flip(currentWords[a.Tensor][i], a.Bit);
        float old = current[a.Tensor][i], now = Target.Tensors[a.Tensor].Encoded.Decode(word);
        currentWords[a.Tensor][i] = word;
        current[a.Tensor][i] = now;
        if (writeLive) SetLive(a.Tensor, a.Index, now);
        return (old, now);
    }

    /// <summary>Writes <paramref name="value"/> into the live parameter only (for trying a candidate; undo with <see cref="RestoreLive"/>).</summary>
    public void SetLive(int t, long index, float value)
    {
        using var scope = NewDisposeScope();
        var flat = Target.Tensors[t].Parameter.view(-1);
        using (no_grad()) flat.index_put_(tensor(value, device: flat.device), TensorIndex.Single(index));
    }

    /// <summary>Writes the current value of one entry back into the live parameter.</summary>
    public void RestoreLive(int t, long index) => SetLive(t, index, current[t][checked((int)index)]);

    /// <summary>Returns every entry to its clean value (arrays and, with <paramref name="writeLive"/>, the live parameters).</summary>
    public void Reset(bool writeLive = true)
    {
        for (int t = 0; t < clean.Length; t++)
        {
            clean[t].CopyTo(current[t], 0);
            cleanWords[t].CopyTo(currentWords[t], 0);
        }
        if (writeLive) WriteAll();
    }

    /// <summary>Rewrites every live tensor from the current arrays (undoes whatever a defense wrote).</summary>
    public void WriteAll()
    {
        for (int t = 0; t < current.Length; t++)
        {
            using var scope = NewDisposeScope();
            var p = Target.Tensors[t].Parameter;
            using (no_grad()) p.copy_(tensor(current[t]).reshape(p.shape).to(p.device));
        }
    }
}
