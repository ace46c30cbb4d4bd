using FlipGuard.Core;
using FlipGuard.Defenses.Ecc;
using FlipGuard.Faults.Targets;

namespace FlipGuard.Defenses.Ranking;

/// <summary>
/// One score per parameter entry of a <see cref="FlipTarget"/> (higher = protect first), per tensor in target order.
/// Rankings for selective protection are just scores: predicted loss change (<see cref="HessianGuidedRanking"/>),
/// weight magnitude, or a seeded random draw as the baseline every ranking must beat.
/// </summary>
public sealed record EntryScores(string Ranking, IReadOnlyList<double[]> PerTensor)
{
    /// <summary>|w|: the magnitude heuristic (an exponent flip multiplies |w|, so big weights become the biggest values).</summary>
    public static EntryScores Magnitude(FlipTarget target) =>
        new("magnitude", target.Tensors.Select(t => t.ReadValues().Select(v => (double)Math.Abs(v)).ToArray()).ToList());

    /// <summary>Uniform random scores drawn from <paramref name="seed"/>: a random selection.</summary>
    public static EntryScores Random(FlipTarget target, ulong seed)
    {
        var rng = new SplitMix64(seed);
        return new("random", target.Tensors.Select(t =>
        {
            var s = new double[t.Length];
            for (long i = 0; i < s.Length; i++) s[i] = (rng.NextUInt64() >> 11) * (1.0 / (1UL << 53));
            return s;
        }).ToList());
    }

    /// <summary>The score of entry <paramref name="index"/> of target tensor <paramref name="tensor"/>.</summary>
    public double Of(int tensor, long index) => PerTensor[tensor][index];

    /// <summary>
    /// The top <paramref name="fraction"/> of each target's 64-bit ECC words, ranked by their entries' highest score
    /// across the whole model (ties in model order), as a <see cref="WordSelection"/>.
    /// </summary>
    public WordSelection TopWords(FlipTarget target, double fraction)
    {
        if (fraction is < 0 or > 1) throw new FlipGuardException($"protected fraction must be in [0, 1], got {fraction}");
        int perWord = EccWords.EntriesPerWord(target);
        var words = new List<(double Score, int Tensor, long Word)>();
        var chosen = new List<bool[]>();
        for (int t = 0; t < target.Tensors.Count; t++)
        {
            long n = EccWords.Count(target.Tensors[t].Length, perWord);
            chosen.Add(new bool[n]);
            for (long w = 0; w < n; w++) words.Add((WordScore(PerTensor[t], w, perWord), t, w));
        }
        long take = (long)Math.Ceiling(fraction * words.Count);
        foreach (var w in words.Select((w, k) => (w, k)).OrderByDescending(x => x.w.Score).ThenBy(x => x.k).Take((int)take))
            chosen[w.w.Tensor][w.w.Word] = true;
        return new WordSelection($"{Ranking} top {fraction:P2}", chosen);
    }

    /// <summary>The highest score among the entries of word <paramref name="word"/>.</summary>
    public static double WordScore(double[] scores, long word, int perWord)
    {
        double best = double.NegativeInfinity;
        for (long i = word * perWord; i < Math.Min(scores.Length, (word + 1) * perWord); i++) best = Math.Max(best, scores[i]);
        return best;
    }
}
