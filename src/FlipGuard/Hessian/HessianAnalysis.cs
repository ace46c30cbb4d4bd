using System.Diagnostics;
using FlipGuard.Core;
using FlipGuard.Data;
using static TorchSharp.torch;

namespace FlipGuard.Hessian;

/// <summary>What to measure about a model's Hessian, and on how much data.</summary>
/// <param name="Layers">Parameters the Hessian ranges over.</param>
/// <param name="Samples">Evaluation samples used (the first N; 0 = all).</param>
/// <param name="BatchSize">Samples per forward pass (memory bound; does not change the result).</param>
/// <param name="Trace">Hutchinson stopping rule and seed.</param>
/// <param name="TopK">Number of top eigenvalues (0 = skip).</param>
/// <param name="Method">lanczos (default) or power.</param>
/// <param name="DensityRuns">Stochastic Lanczos quadrature runs for the eigenvalue density (0 = skip).</param>
/// <param name="TrainMode">Keep batch norm and dropout in training mode.</param>
public sealed record HessianOptions(LayerSelection Layers, int Samples, int BatchSize, HutchinsonOptions Trace, int TopK = 3, string Method = "lanczos", int DensityRuns = 0, bool TrainMode = false);

/// <summary>One progress tick of a Hessian analysis: the stage and how far it is.</summary>
public sealed record HessianProgress(string Stage, int Done, int Total);

/// <summary>Everything <c>flipguard hessian</c> reports, as a plain record.</summary>
public sealed record HessianReport(
    string Layers, long Parameters, int Samples, double Loss, TraceEstimate Trace, EigenEstimate? TopEigenvalues,
    DensityEstimate? Density, int HessianVectorProducts, double Seconds);

/// <summary>Runs the Hessian measurements of <see cref="HessianOptions"/> on a model and evaluation data.</summary>
public static class HessianAnalysis
{
    /// <summary>Builds the operator over the first <c>Samples</c> of (<paramref name="images"/>, <paramref name="labels"/>) and measures it.</summary>
    public static HessianReport Run(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, HessianOptions options, IProgress<HessianProgress>? progress = null, CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        var hessian = CreateOperator(model, images, labels, options.Layers, options.Samples, options.BatchSize, options.TrainMode, out int n);
        double loss = hessian.Loss();
        var trace = HutchinsonTrace.Estimate(hessian, options.Trace,
            progress is null ? null : new ProgressRelay<int>(p => progress.Report(new HessianProgress("trace", p, options.Trace.MaxProbes))), cancellation);
        EigenEstimate? top = null;
        if (options.TopK > 0)
        {
            progress?.Report(new HessianProgress("eigenvalues", 0, 1));
            top = options.Method switch
            {
                "power" => TopEigenvalues.ByPowerIteration(hessian, options.TopK, seed: options.Trace.Seed, cancellation: cancellation),
                "lanczos" => TopEigenvalues.ByLanczos(hessian, options.TopK, seed: options.Trace.Seed, cancellation: cancellation),
                _ => throw new FlipGuardException($"--method must be lanczos or power, got '{options.Method}'"),
            };
            progress?.Report(new HessianProgress("eigenvalues", 1, 1));
        }
        DensityEstimate? density = null;
        if (options.DensityRuns > 0)
        {
            progress?.Report(new HessianProgress("density", 0, 1));
            density = SpectralDensity.Estimate(hessian, runs: options.DensityRuns, seed: options.Trace.Seed, cancellation: cancellation);
            progress?.Report(new HessianProgress("density", 1, 1));
        }
        return new HessianReport(options.Layers.ToString(), hessian.Dimension, n, loss, trace, top, density, hessian.ProductCount, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The Hessian operator over the first <paramref name="samples"/> samples (0 = all), cut into batches.</summary>
    public static HessianOperator CreateOperator(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, LayerSelection layers, int samples, int batchSize, bool trainMode, out int used)
    {
        if (samples < 0) throw new FlipGuardException($"--samples must be ≥ 0, got {samples}");
        if (batchSize < 1) throw new FlipGuardException($"--batch-size must be at least 1, got {batchSize}");
        used = (int)(samples > 0 ? Math.Min(samples, images.shape[0]) : images.shape[0]);
        return new HessianOperator(model, layers.Select(model), SampleBatches.First(images, labels, used, batchSize), trainMode);
    }
}
