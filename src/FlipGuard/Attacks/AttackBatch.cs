using FlipGuard.Core;
using static TorchSharp.torch;

namespace FlipGuard.Attacks;

/// <summary>
/// The attacker's data: a seeded sample of <c>size</c> distinct samples from a pool the evaluation set is not part of
/// (FlipGuard uses the training split), so the accuracy the attack reports is measured on data it never saw.
/// </summary>
public static class AttackBatch
{
    /// <summary>The indices into the pool of <paramref name="seed"/>'s batch: the first <paramref name="size"/> of a seeded shuffle.</summary>
    /// <exception cref="FlipGuardException">The pool holds fewer than <paramref name="size"/> samples, or size is below 1.</exception>
    public static long[] Indices(int poolSize, int size, ulong seed)
    {
        if (size < 1) throw new FlipGuardException($"--batch must be ≥ 1, got {size}");
        if (size > poolSize) throw new FlipGuardException($"--batch {size}: the attack pool (training split) holds only {poolSize} samples");
        var order = new int[poolSize];
        for (int i = 0; i < poolSize; i++) order[i] = i;
        new SplitMix64(seed).Shuffle(order.AsSpan());
        return order.Take(size).Select(i => (long)i).ToArray();
    }

    /// <summary>Images and labels of <paramref name="seed"/>'s batch, cut from the pool.</summary>
    public static (Tensor Images, Tensor Labels) Draw(Tensor poolImages, Tensor poolLabels, int size, ulong seed)
    {
        using var index = tensor(Indices(checked((int)poolImages.shape[0]), size, seed), device: poolImages.device);
        return (poolImages.index_select(0, index), poolLabels.index_select(0, index));
    }
}
