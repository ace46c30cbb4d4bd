using FlipGuard.Faults.Encodings;
using static TorchSharp.torch;

namespace FlipGuard.Faults.Targets;

/// <summary>
/// The weights of a <see cref="FlipTarget"/> as the bits currently stand, kept in flat arrays beside the live
/// parameters: the clean values (and, in int8 mode, the clean integers q), the current ones, and the means to flip
/// a bit, try a value, reset or rewrite everything. Several flips of one entry compose (int8 on q, float32 on the
/// IEEE word), which is what lets an attack accumulate flips and an injection trial flip many bits at once.
/// </summary>
public sealed class WorkingWeights
{
    private readonly float[][] clean, current;
    private readonly sbyte[][] cleanQ, currentQ;
    private readonly float[] scales;

    /// <summary>Snapshots <paramref name="target"/>'s current (clean) values.</summary>
    public WorkingWeights(FlipTarget target)
    {
        Target = target;
        int n = target.Tensors.Count;
        (clean, current, cleanQ, currentQ, scales) = (new float[n][], new float[n][], new sbyte[n][], new sbyte[n][], new float[n]);
        for (int t = 0; t < n; t++)
        {
            var tensor = target.Tensors[t];
            clean[t] = tensor.ReadValues();
            current[t] = (float[])clean[t].Clone();
            if (tensor.Quantized is { } q)
            {
                cleanQ[t] = q.Q.ToArray();
                currentQ[t] = (sbyte[])cleanQ[t].Clone();
                scales[t] = q.Scale;
            }
            else (cleanQ[t], currentQ[t]) = ([], []);
        }
    }

    /// <summary>The model and its flippable tensors.</summary>
    public FlipTarget Target { get; }

    /// <summary>Current values of tensor <paramref name="t"/>, flat.</summary>
    public ReadOnlySpan<float> Values(int t) => current[t];

    /// <summary>Current integers of tensor <paramref name="t"/> (int8 mode; empty otherwise).</summary>
    public ReadOnlySpan<sbyte> Q(int t) => currentQ[t];

    /// <summary>The int8 scale of tensor <paramref name="t"/> (0 in float32 mode).</summary>
    public float Scale(int t) => scales[t];

    /// <summary>The value entry (<paramref name="a"/>.Tensor, .Index) would hold with bit <paramref name="a"/>.Bit flipped from its current state.</summary>
    public float FlippedValue(BitAddress a)
    {
        int i = checked((int)a.Index);
        return Target.Int8
            ? Int8Quantizer.Dequantize(Int8Quantizer.Flip(currentQ[a.Tensor][i], a.Bit), scales[a.Tensor])
            : Float32Bits.Flip(current[a.Tensor][i], a.Bit);
    }

    /// <summary>
    /// Flips the bit for good and returns the entry's old and new values. With <paramref name="writeLive"/> off only the
    /// arrays change (flip many bits, then <see cref="WriteAll"/> once).
    /// </summary>
    public (float Old, float New) Flip(BitAddress a, bool writeLive = true)
    {
        int i = checked((int)a.Index);
        float old = current[a.Tensor][i], now = FlippedValue(a);
        if (Target.Int8) currentQ[a.Tensor][i] = Int8Quantizer.Flip(currentQ[a.Tensor][i], a.Bit);
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
            cleanQ[t].CopyTo(currentQ[t], 0);
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

    /// <summary>The clean value of an entry.</summary>
    public float CleanValue(int t, long index) => clean[t][checked((int)index)];
}
