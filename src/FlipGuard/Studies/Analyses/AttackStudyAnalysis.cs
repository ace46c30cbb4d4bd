using System.Text.Json;
using System.Text.Json.Serialization;
using FlipGuard.Attacks;
using FlipGuard.Charts;
using FlipGuard.Core;
using FlipGuard.Faults.Encodings;
using FlipGuard.Faults.Evaluation;
using FlipGuard.Faults.Targets;
using FlipGuard.Studies.Results;
using FlipGuard.Workflows;

namespace FlipGuard.Studies.Analyses;

/// <summary>The targeted bit-flip attack of a study (<c>analyses.attack</c>): what <c>flipguard attack</c> runs, per model.</summary>
/// <param name="Seeds">Attacks per model (attack batches); seeds <see cref="Seed"/> … <see cref="Seed"/>+N−1.</param>
/// <param name="Seed">First attack seed.</param>
/// <param name="TopK">Candidates per tensor whose loss is evaluated each iteration.</param>
/// <param name="Batch">Attack-batch size, drawn from the training split.</param>
/// <param name="MaxFlips">Flip budget per attack.</param>
/// <param name="TargetAccuracy">Stop at this test accuracy (null = chance + 1 point).</param>
/// <param name="Encoding">The weight encoding attacked (<c>encoding:</c>, or <c>float32: true</c>; default int8); hashed under the <c>float32</c> key it had as a flag.</param>
/// <param name="Bits">Bits the attack may flip (resolved: <c>all</c> for int8, <c>exponent</c> for float32 unless given).</param>
/// <param name="Limit">First N test samples the accuracy is measured on (0 = all).</param>
/// <param name="Chunk">Samples per forward pass of the test evaluation.</param>
public sealed record AttackStudySettings(int Seeds, long Seed, int TopK, int Batch, int MaxFlips, double? TargetAccuracy,
    [property: JsonPropertyName("float32"), JsonConverter(typeof(EncodingFlagJsonConverter.Float32Flag))] string Encoding, string Bits, int Limit, int Chunk)
{
    /// <summary>Reads <c>analyses.attack</c>; every key is optional (defaults as in <c>flipguard attack</c>).</summary>
    public static AttackStudySettings Parse(StudySection s)
    {
        var encoding = s.Encoding("float32", WeightEncodings.Float32, WeightEncodings.Int8);
        double? target = s.Has("target-accuracy") ? s.Double("target-accuracy", 0) : null;
        var v = new AttackStudySettings(s.Int("seeds", 5), s.Int("seed", 0), s.Int("top-k", 10), s.Int("batch", 128), s.Int("max-flips", 100), target,
            encoding.Name, s.String("bits", encoding.IsInteger ? "all" : "exponent"), s.Int("limit", 0), s.Int("chunk", NaiveFlipEvaluator.DefaultChunk));
        s.RejectUnknown(["seeds", "seed", "top-k", "batch", "max-flips", "target-accuracy", "encoding", "float32", "bits", "limit", "chunk"]);
        if (v.Seeds < 1) throw s.Error("seeds", $"analyses.attack.seeds must be ≥ 1, got {v.Seeds}");
        if (v.Seed < 0) throw s.Error("seed", $"analyses.attack.seed must be ≥ 0, got {v.Seed}");
        if (v.Limit < 0) throw s.Error("limit", $"analyses.attack.limit must be ≥ 0, got {v.Limit}");
        try { ProgressiveBitSearch.Validate(v.Options(), WeightEncodings.Parse(v.Encoding)); }
        catch (FlipGuardException e) { throw s.Error($"analyses.attack: {e.Message}"); }
        return v;
    }

    /// <summary>The library's options for these settings (the journal and the model's identity are added per model).</summary>
    public AttackOptions Options() => new(BitSelection.Parse(Bits, WeightEncodings.Parse(Encoding)))
    {
        TopK = TopK,
        BatchSize = Batch,
        TargetAccuracy = TargetAccuracy,
        MaxFlips = MaxFlips,
        Seeds = Enumerable.Range(0, Seeds).Select(i => (ulong)Seed + (ulong)i).ToArray(),
        Chunk = Chunk,
    };
}

/// <summary>
/// The targeted bit-flip attack (BFA, progressive bit search) on every model: how many flips an attacker needs to
/// bring test accuracy down to the target — the paper's second robustness claim (Hessian-aware models need 2–3× more).
/// Several attacks per model (one per attack batch), journaled per flip, so a killed study resumes mid-attack.
/// </summary>
public sealed class AttackStudyAnalysis(AttackStudySettings settings) : IStudyAnalysis
{
    /// <summary>Metric names.</summary>
    public const string Flips = "attack.flips", FlipsSpread = "attack.flips-sd", Reached = "attack.reached";

    /// <summary>Analysis name in the study file and the store.</summary>
    public const string AnalysisName = "attack";

    /// <inheritdoc />
    public string Name => AnalysisName;

    /// <inheritdoc />
    public object Settings => settings;

    private string Scope => $"{settings.Encoding}, bits {settings.Bits}, top-k {settings.TopK}, batch {settings.Batch}";

    private string Target => settings.TargetAccuracy is { } t ? $"{t:P1}" : "chance + 1 point";

    /// <inheritdoc />
    public IReadOnlyList<MetricKind> Metrics =>
    [
        new(Flips, "BFA flips", MetricFormat.Count, Better.Higher, true,
            $"Bit flips the progressive bit search ({Scope}) needs to bring test accuracy down to {Target}: mean over {settings.Seeds} attacks (attack batches), " +
            $"with a 95% t-interval over them. An attack still above the target after its budget of {settings.MaxFlips} flips counts as {settings.MaxFlips}, " +
            "so the mean is then a lower bound (see 'attacks reaching target')."),
        new(FlipsSpread, "BFA flips: sd over attacks", MetricFormat.Count, Better.None, false,
            $"Standard deviation of the flips needed over the {settings.Seeds} attacks on one model (how much the attack batch matters)."),
        new(Reached, "attacks reaching target", MetricFormat.Percent, Better.None, false,
            $"Share of the attacks that reached the target within {settings.MaxFlips} flips."),
    ];

    /// <inheritdoc />
    public IReadOnlyList<SeriesKind> Series { get; } = [];

    /// <summary>Flips needed by each attack: to the target, or the flips made when it stopped first (budget, no candidate left).</summary>
    public static double[] FlipsPerAttack(AttackResult result) => result.Trajectories.Select(t => (double)(t.FlipsToTarget ?? t.Steps.Count)).ToArray();

    /// <inheritdoc />
    public AnalysisOutcome Run(StudyAnalysisContext context, CancellationToken cancellation)
    {
        var options = settings.Options() with { JournalDirectory = Path.Combine(context.WorkDirectory, "journal"), Resume = true };
        var result = AttackWorkflow.Run(context.UnderTest(settings.Limit, WeightEncodings.Parse(settings.Encoding)), options, progress:
            new ProgressRelay<AttackProgress>(p =>
            {
                double drop = p.CleanAccuracy <= p.TargetAccuracy ? 1 : (p.CleanAccuracy - p.Accuracy) / (p.CleanAccuracy - p.TargetAccuracy);
                double within = Math.Clamp(Math.Max(drop, p.MaxFlips == 0 ? 1 : (double)p.Flips / p.MaxFlips), 0, 1);
                context.Report((p.SeedIndex + within) / p.Seeds, $"attack {p.SeedIndex + 1}/{p.Seeds} · {p.Flips} flips · accuracy {p.Accuracy:P1} (target {p.TargetAccuracy:P1})");
            }), cancel: cancellation);

        double[] flips = FlipsPerAttack(result);
        var metrics = new List<MetricValue> { MetricValue.MeanOf(Flips, flips) };
        if (flips.Length > 1) metrics.Add(new MetricValue(FlipsSpread, MetricValue.SampleStandardDeviation(flips)));
        metrics.Add(new MetricValue(Reached, (double)result.Reached / result.Trajectories.Count));

        AttackTrajectoryCsv.Write(Path.Combine(context.WorkDirectory, "trajectory.csv"), result);
        string chart = AttackCharts.AccuracyVsFlips(Path.Combine(context.WorkDirectory, "accuracy-vs-flips.png"), [(context.Model.DisplayName, result)]);
        var artifacts = new List<StudyArtifact> { context.Artifact(chart, $"{context.Model.DisplayName}: test accuracy against bit flips (BFA)") };
        return new AnalysisOutcome(metrics, [], artifacts, JsonSerializer.Serialize(result, RecordJournal.Json), result.Seconds);
    }
}
