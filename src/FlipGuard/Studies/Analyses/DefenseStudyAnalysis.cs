using System.Text.Json;
using FlipGuard.Attacks;
using FlipGuard.Checkpoints;
using FlipGuard.Core;
using FlipGuard.Data;
using FlipGuard.Defenses;
using FlipGuard.Defenses.Ranking;
using FlipGuard.Faults.Encodings;
using FlipGuard.Faults.Evaluation;
using FlipGuard.Faults.Targets;
using FlipGuard.Studies.Results;
using FlipGuard.Sweeps;
using FlipGuard.Sweeps.Storage;
using FlipGuard.Workflows;

namespace FlipGuard.Studies.Analyses;

/// <summary>
/// The run-time defenses of a study (<c>analyses.defense</c>): what <c>flipguard defend --run sweep</c> and
/// <c>--run attack</c> measure, for every defense and model. Each defense gets two columns: the single flips it still
/// lets through (a float32 sweep through the defense) and the flips a targeted attacker needs despite it (BFA on the
/// int8 model, judged on the repaired accuracy).
/// </summary>
/// <param name="Defenses">Defense names: <c>guard</c>, <c>radar</c>, <c>ecc</c>, <c>hessian-ecc</c>.</param>
/// <param name="Protect">hessian-ecc: share of 64-bit words that get check bits.</param>
/// <param name="Probes">hessian-ecc: Hutchinson probes of the Hessian diagonal.</param>
/// <param name="HessianSamples">hessian-ecc: training samples the gradient and diagonal are averaged over.</param>
/// <param name="GroupSize">radar: entries per checksum group.</param>
/// <param name="Bits">Sweep: float32 bits flipped one at a time.</param>
/// <param name="Parameters">Sweep: entries flipped (<c>sample:N</c> estimates the totals with Wilson intervals).</param>
/// <param name="AttackSeeds">Attacks per model and defense (0 = no attack).</param>
/// <param name="MaxFlips">Attack budget; an attack the defense holds off counts as this many flips (a lower bound).</param>
/// <param name="TopK">Attack candidates per tensor.</param>
/// <param name="Batch">Attack-batch size.</param>
/// <param name="TargetAccuracy">The attack stops at this repaired test accuracy (null = chance + 1 point).</param>
/// <param name="Seed">Seed of the parameter sample, the attacks and the Hessian probes.</param>
/// <param name="Limit">First N test samples (0 = all).</param>
/// <param name="Chunk">Samples per forward pass.</param>
public sealed record DefenseStudySettings(IReadOnlyList<string> Defenses, double Protect, int Probes, int HessianSamples, int GroupSize,
    string Bits, string Parameters, int AttackSeeds, int MaxFlips, int TopK, int Batch, double? TargetAccuracy, long Seed, int Limit, int Chunk)
{
    /// <summary>Reads <c>analyses.defense</c>; every key is optional.</summary>
    public static DefenseStudySettings Parse(StudySection s)
    {
        string protect = HessianEccKind.Share.Key, groupSize = RadarKind.GroupSize.Key;
        var v = new DefenseStudySettings(s.Strings("defenses") ?? ["guard", "radar", "ecc"], s.Double(protect, HessianEccKind.DefaultShare), s.Int("probes", 32),
            s.Int("hessian-samples", 2000), s.Int(groupSize, RadarKind.GroupSize.Default), s.String("bits", "30"), s.String("params", "sample:500"), s.Int("attack-seeds", 3),
            s.Int("max-flips", 150), s.Int("top-k", 10), s.Int("batch", 128), s.Has("target-accuracy") ? s.Double("target-accuracy", 0) : null, s.Int("seed", 0), s.Int("limit", 0), s.Int("chunk", NaiveFlipEvaluator.DefaultChunk));
        s.RejectUnknown(["defenses", protect, "probes", "hessian-samples", groupSize, "bits", "params", "attack-seeds", "max-flips", "top-k", "batch",
            "target-accuracy", "seed", "limit", "chunk"]);
        if (v.Defenses.Count == 0) throw s.Error("defenses", "analyses.defense.defenses: name at least one defense");
        foreach (string d in v.Defenses)
            if (DefenseCatalog.Default.Find(d) is null)
                throw s.Error("defenses", $"analyses.defense.defenses: unknown defense '{d}' (known: {string.Join(", ", DefenseCatalog.Default.Names)})");
        if (v.Defenses.Distinct().Count() != v.Defenses.Count) throw s.Error("defenses", "analyses.defense.defenses: a defense is repeated");
        if (v.Protect is <= 0 or > 1) throw s.Error("protect", $"analyses.defense.protect must be in (0, 1], got {v.Protect}");
        if (v.Probes < 1 || v.HessianSamples < 1) throw s.Error("analyses.defense: probes and hessian-samples must be ≥ 1");
        if (v.GroupSize < 1) throw s.Error("group-size", $"analyses.defense.group-size must be ≥ 1, got {v.GroupSize}");
        if (v.AttackSeeds < 0 || v.Seed < 0 || v.Limit < 0) throw s.Error("analyses.defense: attack-seeds, seed and limit must be ≥ 0");
        try
        {
            BitSelection.Parse(v.Bits);
            ParameterSelection.Parse(v.Parameters);
            if (v.AttackSeeds > 0) ProgressiveBitSearch.Validate(v.AttackOptions() with { TargetOnRepaired = false }, WeightEncodings.Int8);  // the repair is added per model
        }
        catch (FlipGuardException e) { throw s.Error($"analyses.defense: {e.Message}"); }
        return v;
    }

    /// <summary>
    /// Defense <paramref name="defense"/> as the study builds it: radar with <see cref="GroupSize"/>, hessian-ecc with
    /// <see cref="Protect"/> (a study's <c>protect</c> is hessian-ecc's share: ecc protects every word), the rest at their defaults.
    /// </summary>
    public DefenseChoice Choice(string defense) =>
        new(defense, SettingValues.Empty.With(RadarKind.GroupSize, GroupSize).With(HessianEccKind.Share, (double?)Protect));

    /// <summary>The attack's options (int8, all bits) before the journal, the model's identity and the defense are added.</summary>
    public AttackOptions AttackOptions() => new(BitSelection.Parse("all", WeightEncodings.Int8))
    {
        TopK = TopK,
        BatchSize = Batch,
        MaxFlips = MaxFlips,
        TargetAccuracy = TargetAccuracy,
        Seeds = Enumerable.Range(0, AttackSeeds).Select(i => (ulong)Seed + (ulong)i).ToArray(),
        Chunk = Chunk,
        TargetOnRepaired = true,
    };
}

/// <summary>What one defense did to one model: the overhead, the screening and sweep of single flips, and the attacks.</summary>
public sealed record DefenseStudyRun(string Defense, string Name, DefenseOverhead Overhead, DefenseScreening Screening, SweepSummary Sweep,
    DefenseOverhead? AttackOverhead, AttackResult? Attack);

/// <summary>
/// Run-time defenses (range guard, RADAR checksums, SEC-DED ECC, Hessian-guided selective ECC) on every model: the
/// residual vulnerability each leaves — the question the source paper asks of HAT combined with a defense. The sweep
/// maps each single flip through the defense's check exactly (<see cref="DefendedFlipEvaluator"/>); the attack commits
/// flips, repairs after each and stops when the repaired accuracy reaches chance + 1 point. Both journal, so a killed
/// study resumes.
/// </summary>
public sealed class DefenseStudyAnalysis(DefenseStudySettings settings) : IStudyAnalysis
{
    /// <summary>Analysis name in the study file and the store.</summary>
    public const string AnalysisName = "defense";

    /// <summary>The residual-flips metric of one defense (<c>defense.ecc.residual</c>).</summary>
    public static string Residual(string defense) => $"defense.{defense}.residual";

    /// <summary>The attack metric of one defense (<c>defense.ecc.bfa</c>).</summary>
    public static string AttackFlips(string defense) => $"defense.{defense}.bfa";

    /// <inheritdoc />
    public string Name => AnalysisName;

    /// <inheritdoc />
    public object Settings => settings;

    private string Target => settings.TargetAccuracy is { } t ? $"{t:P1}" : "chance + 1 point";

    private bool Sampled => settings.Parameters.Contains("sample:", StringComparison.Ordinal);

    /// <inheritdoc />
    public IReadOnlyList<MetricKind> Metrics => settings.Defenses.SelectMany(d =>
    {
        var kinds = new List<MetricKind>
        {
            new(Residual(d), $"{d}: residual bits RAD > 10%", MetricFormat.Count, Better.Lower, false,
                $"Single float32 flips (bits {settings.Bits}, params {settings.Parameters}) that still cost more than 10% of the clean accuracy when " +
                $"{Describe(d)} checks the weights before inference." +
                (Sampled ? " Estimated over all parameters from the sample (95% Wilson interval)." : "")),
        };
        if (settings.AttackSeeds > 0)
            kinds.Add(new(AttackFlips(d), $"{d}: BFA flips", MetricFormat.Count, Better.Higher, true,
                $"Flips the int8 progressive bit search (top-k {settings.TopK}, batch {settings.Batch}) needs until the accuracy after {Describe(d)} repairs " +
                $"the weights is at {Target}: mean over {settings.AttackSeeds} attacks. The attacker does not know the defense. An attack held off " +
                $"for its whole budget counts as {settings.MaxFlips} (a lower bound)."));
        return kinds;
    }).ToList();

    /// <inheritdoc />
    public IReadOnlyList<SeriesKind> Series { get; } = [];

    /// <inheritdoc />
    public AnalysisOutcome Run(StudyAnalysisContext context, CancellationToken cancellation)
    {
        var metrics = new List<MetricValue>();
        var runs = new List<DefenseStudyRun>();
        var started = System.Diagnostics.Stopwatch.StartNew();
        int steps = settings.Defenses.Count * (settings.AttackSeeds > 0 ? 2 : 1), step = 0;

        // Float32 sweeps first: the int8 attacks quantise the network in place. Every defense sweeps the same flips of
        // the same clean model, so one workflow enumerates the flips and builds the fast evaluator (with its caches) once.
        var bits = BitSelection.Parse(settings.Bits);
        var sweepOptions = new SweepOptions(bits, ParameterSelection.Parse(settings.Parameters)) { Seed = unchecked((ulong)settings.Seed), Resume = true };
        var floats = context.UnderTest(settings.Limit, WeightEncodings.Float32);
        using (var sweep = new SweepWorkflow(floats, settings.Chunk))
            foreach (string d in settings.Defenses)
            {
                int at = step++;
                var shield = Build(d, floats.Target, context, bits, cancellation);
                var screening = sweep.Screen(shield, sweepOptions, cancellation);
                var options = sweepOptions with { JournalDirectory = SweepJournal.PathIn(Path.Combine(context.WorkDirectory, d)) };
                var result = sweep.Run(options, shield, new ProgressRelay<SweepProgress>(p =>
                    context.Report((at + (p.Total == 0 ? 1 : (double)p.Done / p.Total)) / steps, $"{d}: sweep {p.Done:N0}/{p.Total:N0} flips")), cancellation);
                var summary = SweepSummary.From(result);
                metrics.Add(summary.Estimates is { } e
                    ? new MetricValue(Residual(d), e.RadAbove10Flips.Estimate, e.RadAbove10Flips.Low, e.RadAbove10Flips.High)
                    : new MetricValue(Residual(d), summary.Overall.RadAbove10));
                runs.Add(new DefenseStudyRun(d, shield.Name, shield.Overhead, screening, summary, null, null));
            }

        if (settings.AttackSeeds > 0)
        {
            var quantised = context.UnderTest(settings.Limit, WeightEncodings.Int8);
            for (int k = 0; k < settings.Defenses.Count; k++)
            {
                string d = settings.Defenses[k];
                int at = step++;
                var shield = Build(d, quantised.Target, context, BitSelection.Parse("all", WeightEncodings.Int8), cancellation);
                var options = settings.AttackOptions() with { JournalDirectory = Path.Combine(context.WorkDirectory, d, "attack"), Resume = true };
                var result = AttackWorkflow.Run(quantised, options, shield,
                    new ProgressRelay<AttackProgress>(p => context.Report((at + (p.SeedIndex + Math.Clamp(p.MaxFlips == 0 ? 1 : (double)p.Flips / p.MaxFlips, 0, 1)) / p.Seeds) / steps,
                        $"{d}: attack {p.SeedIndex + 1}/{p.Seeds} · {p.Flips} flips · repaired accuracy {p.Accuracy:P1}")), cancellation);
                metrics.Add(MetricValue.MeanOf(AttackFlips(d), AttackStudyAnalysis.FlipsPerAttack(result)));
                runs[k] = runs[k] with { AttackOverhead = shield.Overhead, Attack = result };
            }
        }

        return new AnalysisOutcome(metrics, [], [], JsonSerializer.Serialize(runs, CheckpointFile.JsonOptions), started.Elapsed.TotalSeconds);
    }

    private string Describe(string defense) => settings.Choice(defense).Describe();

    private IDefense Build(string defense, FlipTarget target, StudyAnalysisContext context, BitSelection bits, CancellationToken cancellation) =>
        settings.Choice(defense).Create(target, () => HessianScores(target, context, bits, cancellation), unchecked((ulong)settings.Seed));

    private EntryScores HessianScores(FlipTarget target, StudyAnalysisContext context, BitSelection bits, CancellationToken cancellation) =>
        HessianGuidedRanking.Score(target, SampleBatches.First(context.Data.Train.Images, context.Data.Train.Labels, settings.HessianSamples, 500),
            bits.Bits.ToList(), settings.Probes, settings.Seed, null, cancellation);
}
