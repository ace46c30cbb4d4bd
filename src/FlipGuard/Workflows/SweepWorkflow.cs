using FlipGuard.Defenses;
using FlipGuard.Faults.Evaluation;
using FlipGuard.Sweeps;

namespace FlipGuard.Workflows;

/// <summary>
/// "Sweep a model", plain or through a run-time defense, as <c>flipguard sweep</c>, <c>flipguard defend --run sweep</c>
/// and the studies' sweep and defense analyses all run it: the evaluator is chosen by <see cref="FlipEvaluatorFactory"/>
/// on the model's evaluation set, the sweep's definition records the model's identity, the evaluator and the defense,
/// and a defended sweep maps each flip through the defense's check (<see cref="DefendedFlipEvaluator"/>). One instance
/// holds one evaluator, built at the first sweep, so several sweeps of the same clean model (one per defense) share
/// it and its caches; dispose it to free them.
/// </summary>
public sealed class SweepWorkflow : IDisposable
{
    private readonly ModelUnderTest model;
    private readonly int chunk;
    private readonly bool naive;
    private (IFlipEvaluator Evaluator, string Name)? evaluator;
    private (string Key, FlipSites Sites)? sites;

    /// <summary>
    /// A workflow over <paramref name="model"/>, evaluating <paramref name="chunk"/> samples per forward pass (part of a
    /// sweep's definition: counts can differ at the last ulp between chunk sizes); <paramref name="naive"/> forces the
    /// oracle evaluator.
    /// </summary>
    public SweepWorkflow(ModelUnderTest model, int chunk = NaiveFlipEvaluator.DefaultChunk, bool naive = false)
    {
        (this.model, this.chunk, this.naive) = (model, chunk, naive);
    }

    /// <summary>
    /// Sweeps the flips <paramref name="options"/> selects, through <paramref name="defense"/> if one is given (already
    /// protecting the target). The caller's options say what to flip, where the journal goes and whether to resume;
    /// the workflow sets what must match the run: <see cref="SweepOptions.CheckpointSha256"/> and
    /// <see cref="SweepOptions.Dataset"/> from the model, <see cref="SweepOptions.Chunk"/> and
    /// <see cref="SweepOptions.EvaluatorName"/> from the evaluator (<c>defended(…)</c> around a defense) and
    /// <see cref="SweepOptions.Defense"/> from the defense.
    /// </summary>
    /// <exception cref="Core.FlipGuardException">As <see cref="BitFlipSweep.Run"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancel"/> fired; finished blocks stay in the journal.</exception>
    public SweepResult Run(SweepOptions options, IDefense? defense = null, IProgress<SweepProgress>? progress = null, CancellationToken cancel = default)
    {
        var (inner, innerName) = evaluator ??= FlipEvaluatorFactory.Create(model.Target, model.TestImages, model.TestLabels, naive, chunk);
        var identified = options with { CheckpointSha256 = model.WeightsSha256, Dataset = model.Dataset, Chunk = chunk };
        if (defense is null) return BitFlipSweep.Run(model.Target, inner, identified with { EvaluatorName = innerName }, progress, cancel);
        using var defended = new DefendedFlipEvaluator(model.Target, defense, inner, model.TestImages, model.TestLabels, chunk, ownsInner: false);
        return BitFlipSweep.Run(model.Target, defended, identified with { Defense = defense.Name, EvaluatorName = $"defended({innerName})" }, progress, cancel);
    }

    /// <summary>
    /// What <paramref name="defense"/> (already protecting the target) does to each flip <paramref name="options"/>
    /// selects, counted without evaluating the model: the screening reported beside a defended sweep. Quick next to
    /// the sweep, and a bad selection fails here, so callers run it before the sweep and its progress view. The flip
    /// enumeration is built once per selection, so screening several defenses in turn enumerates the flips once.
    /// </summary>
    public DefenseScreening Screen(IDefense defense, SweepOptions options, CancellationToken cancel = default)
    {
        string key = $"{options.Bits.Canonical}|{options.Parameters.Canonical}|{options.Seed}";
        if (sites is not { } s || s.Key != key) sites = s = (key, FlipSites.Create(model.Target, options.Bits, options.Parameters, options.Seed));
        return DefenseScreening.Run(defense, s.Sites, cancel);
    }

    /// <summary>Frees the evaluator and its caches.</summary>
    public void Dispose()
    {
        evaluator?.Evaluator.Dispose();
        evaluator = null;
    }
}
