using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using FlipGuard.Charts;
using FlipGuard.Core;
using FlipGuard.Faults.Encodings;
using FlipGuard.Faults.Evaluation;
using FlipGuard.Faults.Targets;
using FlipGuard.Injection;
using FlipGuard.Studies.Results;
using FlipGuard.Workflows;

namespace FlipGuard.Studies.Analyses;

/// <summary>The random bit errors of a study (<c>analyses.injection</c>): what <c>flipguard inject --ber</c> runs, per model.</summary>
/// <param name="Rates">Bit-error rates: every selected bit flips independently with that probability.</param>
/// <param name="Trials">Seeded trials per rate.</param>
/// <param name="Encoding">The weight encoding whose bits flip (<c>encoding:</c>, or <c>int8: true</c>); hashed under the <c>int8</c> key it had as a flag.</param>
/// <param name="Bits">Bit positions that can be hit.</param>
/// <param name="Seed">Seed of the trials.</param>
/// <param name="Limit">First N test samples (0 = all).</param>
/// <param name="Chunk">Samples per forward pass.</param>
public sealed record InjectionStudySettings(IReadOnlyList<double> Rates, int Trials,
    [property: JsonPropertyName("int8"), JsonConverter(typeof(EncodingFlagJsonConverter))] string Encoding, string Bits, long Seed, int Limit, int Chunk)
{
    /// <summary>The rates when none are given: one per decade from 1e-7 to 1e-3.</summary>
    public static IReadOnlyList<double> DefaultRates { get; } = [1e-7, 1e-6, 1e-5, 1e-4, 1e-3];

    /// <summary>Reads <c>analyses.injection</c>; every key is optional.</summary>
    public static InjectionStudySettings Parse(StudySection s)
    {
        var rates = DefaultRates;
        if (s.Strings("ber") is { } texts)
            rates = texts.Select(t => double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double r) ? r
                : throw s.Error("ber", $"analyses.injection.ber: '{t}' is not a number")).ToArray();
        var v = new InjectionStudySettings(rates, s.Int("trials", 100), s.Encoding("int8", WeightEncodings.Int8, WeightEncodings.Float32).Name, s.String("bits", "all"), s.Int("seed", 0), s.Int("limit", 0),
            s.Int("chunk", NaiveFlipEvaluator.DefaultChunk));
        s.RejectUnknown(["ber", "trials", "encoding", "int8", "bits", "seed", "limit", "chunk"]);
        if (v.Rates.Distinct().Count() != v.Rates.Count) throw s.Error("ber", "analyses.injection.ber: a rate is repeated");
        if (v.Seed < 0 || v.Limit < 0) throw s.Error("analyses.injection: seed and limit must be ≥ 0");
        try { RandomFaultInjection.Validate(v.Options()); }
        catch (FlipGuardException e) { throw s.Error($"analyses.injection: {e.Message}"); }
        return v;
    }

    /// <summary>The library's options for these settings (the journal and the model's identity are added per model).</summary>
    public InjectionOptions Options() => new(InjectionMode.BitErrorRate, Rates, BitSelection.Parse(Bits, WeightEncodings.Parse(Encoding)))
    {
        Trials = Trials,
        Seed = unchecked((ulong)Seed),
        Chunk = Chunk,
    };
}

/// <summary>An injection result as the store keeps it: the summary and every trial (which the summary leaves out), so the report can pool trials over seeds.</summary>
public sealed record InjectionStudyDetail(InjectionResult Result, IReadOnlyList<IReadOnlyList<InjectionTrial>> Trials);

/// <summary>
/// Random bit errors at several bit-error rates on every model — radiation or ageing rather than an attacker: the
/// mean test accuracy at each rate over many seeded trials, and the accuracy-vs-rate chart. Each rate's trials are
/// journaled, so a killed study resumes without repeating or losing a trial.
/// </summary>
public sealed class InjectionStudyAnalysis(InjectionStudySettings settings) : IStudyAnalysis
{
    /// <summary>Analysis name in the study file and the store.</summary>
    public const string AnalysisName = "injection";

    /// <summary>Prefix of the per-rate accuracy metrics (<c>injection.accuracy@1e-5</c>).</summary>
    public const string AccuracyPrefix = "injection.accuracy@";

    /// <inheritdoc />
    public string Name => AnalysisName;

    /// <inheritdoc />
    public object Settings => settings;

    /// <summary>A rate as the report writes it (<c>1e-5</c>, <c>2.5e-4</c>).</summary>
    public static string Rate(double rate) => rate.ToString("0.###e0", CultureInfo.InvariantCulture);

    /// <summary>The metric of one rate.</summary>
    public static string AccuracyAt(double rate) => AccuracyPrefix + Rate(rate);

    /// <inheritdoc />
    public IReadOnlyList<MetricKind> Metrics => settings.Rates.Select(r => new MetricKind(AccuracyAt(r), $"acc. @ BER {Rate(r)}", MetricFormat.Percent, Better.Higher, false,
        $"Mean test accuracy over {settings.Trials} trials in which every {settings.Encoding} weight bit ({settings.Bits}) flips independently " +
        $"with probability {Rate(r)} (95% t-interval over the trials).")).ToList();

    /// <inheritdoc />
    public IReadOnlyList<SeriesKind> Series { get; } = [];

    /// <inheritdoc />
    public AnalysisOutcome Run(StudyAnalysisContext context, CancellationToken cancellation)
    {
        var options = settings.Options() with { JournalDirectory = Path.Combine(context.WorkDirectory, "journal"), Resume = true };
        var result = InjectionWorkflow.Run(context.UnderTest(settings.Limit, WeightEncodings.Parse(settings.Encoding)), options, progress:
            new ProgressRelay<InjectionProgress>(p => context.Report(p.Total == 0 ? 1 : (double)p.Done / p.Total, $"{p.Done:N0}/{p.Total:N0} trials · BER {Rate(p.Level)}")), cancel: cancellation);
        int samples = result.Definition.Samples;
        var metrics = result.Levels.Select(l => MetricValue.MeanOf(AccuracyAt(l.Level), l.Trials.Select(t => (double)t.Correct / samples).ToArray(), 0, 1)).ToList();
        InjectionTrialsCsv.Write(Path.Combine(context.WorkDirectory, "trials.csv"), result);
        string chart = InjectionCharts.AccuracyVsLevel(Path.Combine(context.WorkDirectory, "accuracy-vs-ber.png"), [(context.Model.DisplayName, result)]);
        var artifacts = new List<StudyArtifact> { context.Artifact(chart, $"{context.Model.DisplayName}: test accuracy against the bit-error rate") };
        var detail = new InjectionStudyDetail(result, result.Levels.Select(l => l.Trials).ToList());
        return new AnalysisOutcome(metrics, [], artifacts, JsonSerializer.Serialize(detail, RecordJournal.Json), result.Seconds);
    }
}
