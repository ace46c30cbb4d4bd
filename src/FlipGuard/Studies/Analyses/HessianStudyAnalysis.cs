using System.Text.Json;
using FlipGuard.Checkpoints;
using FlipGuard.Core;
using FlipGuard.Hessian;
using FlipGuard.Studies.Results;

namespace FlipGuard.Studies.Analyses;

/// <summary>The Hessian statistics of a study (<c>analyses.hessian</c>): what <c>flipguard hessian</c> measures, per model.</summary>
/// <param name="Samples">Test samples the loss is averaged over (0 = the whole test split).</param>
/// <param name="BatchSize">Samples per forward pass (memory only).</param>
/// <param name="Probes">Maximum Hutchinson probes.</param>
/// <param name="Tolerance">Stop when the standard error is below this fraction of the mean |probe|.</param>
/// <param name="TopK">Top eigenvalues (Lanczos).</param>
/// <param name="Layers">Parameters the Hessian covers.</param>
/// <param name="Seed">Seed of the probes and start vectors.</param>
public sealed record HessianStudySettings(int Samples, int BatchSize, int Probes, double Tolerance, int TopK, string Layers, long Seed)
{
    /// <summary>Reads <c>analyses.hessian</c>; every key is optional.</summary>
    public static HessianStudySettings Parse(StudySection s)
    {
        var v = new HessianStudySettings(s.Int("samples", 0), s.Int("batch-size", 500), s.Int("probes", 100), s.Double("tolerance", 0.01),
            s.Int("top-k", 1), s.String("layers", "all"), s.Int("seed", 0));
        s.RejectUnknown(["samples", "batch-size", "probes", "tolerance", "top-k", "layers", "seed"]);
        try
        {
            LayerSelection.Parse(v.Layers);
            v.Options().Trace.Validate();
        }
        catch (FlipGuardException e) { throw s.Error($"analyses.hessian: {e.Message}"); }
        if (v.Samples < 0 || v.BatchSize < 1 || v.TopK < 0) throw s.Error("analyses.hessian: samples and top-k must be ≥ 0 and batch-size ≥ 1");
        return v;
    }

    /// <summary>The library's options for these settings.</summary>
    public HessianOptions Options() => new(LayerSelection.Parse(Layers), Samples, BatchSize,
        new HutchinsonOptions(Probes, Math.Min(8, Math.Max(1, Probes)), Tolerance, Seed), TopK);
}

/// <summary>Hessian trace (Hutchinson, ± 1.96 s.e.) and top eigenvalue of every model on its test split.</summary>
public sealed class HessianStudyAnalysis(HessianStudySettings settings) : IStudyAnalysis
{
    /// <summary>Metric names.</summary>
    public const string Trace = "hessian.trace", TopEigenvalue = "hessian.top-eigenvalue";

    /// <inheritdoc />
    public string Name => "hessian";

    /// <inheritdoc />
    public object Settings => settings;

    /// <inheritdoc />
    public IReadOnlyList<MetricKind> Metrics { get; } =
    [
        new(Trace, "Hessian trace", MetricFormat.Number, Better.Lower, false, "Hutchinson estimate of Tr(H) of the test loss (95% interval from the probes' standard error)."),
        .. settings.TopK > 0
            ? new[] { new MetricKind(TopEigenvalue, "top eigenvalue", MetricFormat.Number, Better.Lower, false, "Largest Hessian eigenvalue of the test loss (Lanczos).") }
            : Array.Empty<MetricKind>(),
    ];

    /// <inheritdoc />
    public IReadOnlyList<SeriesKind> Series { get; } = [];

    /// <inheritdoc />
    public AnalysisOutcome Run(StudyAnalysisContext context, CancellationToken cancellation)
    {
        var options = settings.Options();
        var images = context.Data.Test.Images;
        var report = HessianAnalysis.Run(context.Network, images, context.Data.Test.Labels, options,
            new ProgressRelay<HessianProgress>(p => context.Report(p.Stage == "trace" ? 0.8 * p.Done / Math.Max(1, p.Total) : p.Done > 0 ? 1 : 0.8, $"{p.Stage} {p.Done}/{p.Total}")), cancellation);
        const double z = 1.959963984540054;
        var t = report.Trace;
        var metrics = new List<MetricValue> { new(Trace, t.Mean, t.Mean - z * t.StandardError, t.Mean + z * t.StandardError) };
        if (report.TopEigenvalues is { Values.Length: > 0 } top) metrics.Add(new MetricValue(TopEigenvalue, top.Values[0]));
        string detail = JsonSerializer.Serialize(report with { Trace = t with { Samples = [] } }, CheckpointFile.JsonOptions);
        return new AnalysisOutcome(metrics, [], [], detail, report.Seconds);
    }
}
