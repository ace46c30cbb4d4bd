using FlipGuard.Statistics;
using TorchSharp;
using static TorchSharp.torch;

namespace FlipGuard.Hessian;

/// <summary>
/// Hutchinson's estimator of the Hessian trace: for Rademacher vectors v, E[vᵀHv] = Tr(H). Each probe costs
/// one Hessian-vector product; the per-layer split comes free from the same products.
/// </summary>
public static class HutchinsonTrace
{
    /// <summary>Estimates Tr(H) of <paramref name="hessian"/>; progress reports the number of probes done.</summary>
    public static TraceEstimate Estimate(HessianOperator hessian, HutchinsonOptions options, IProgress<int>? progress = null, CancellationToken cancellation = default)
    {
        options.Validate();
        var layers = hessian.Blocks.Select(b => b.Layer).Distinct().ToList();
        var total = new RunningStatistics();
        var perLayer = layers.ToDictionary(l => l, _ => new RunningStatistics());
        var samples = new List<double>();
        using var generator = new Generator(unchecked((ulong)options.Seed));
        bool converged = false;
        while (total.Count < options.MaxProbes)
        {
            cancellation.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var v = hessian.Rademacher(generator);
            var hv = hessian.Apply(v);
            var contributions = layers.ToDictionary(l => l, _ => 0.0);
            for (int i = 0; i < v.Length; i++)
                contributions[hessian.Blocks[i].Layer] += v[i].mul(hv[i]).sum().ToDouble();
            double sample = contributions.Values.Sum();
            samples.Add(sample);
            total.Add(sample);
            foreach (var (layer, c) in contributions) perLayer[layer].Add(c);
            progress?.Report(total.Count);
            if (total.Count >= options.MinProbes && total.StandardError <= options.RelativeTolerance * total.MeanAbsolute)
            {
                converged = true;
                break;
            }
        }
        var sizes = hessian.Blocks.GroupBy(b => b.Layer).ToDictionary(g => g.Key, g => g.Sum(b => b.Size));
        return new TraceEstimate(total.Mean, total.StandardError, total.Count, converged, samples,
            layers.Select(l => new LayerTrace(l, sizes[l], perLayer[l].Mean, perLayer[l].StandardError)).ToList());
    }
}

/// <summary>A Hutchinson estimate of Tr(H): the mean of the probes, its standard error, and the raw probe values.</summary>
/// <param name="Mean">Estimated trace.</param>
/// <param name="StandardError">Standard error of the mean (sample standard deviation / √probes).</param>
/// <param name="Probes">Number of Rademacher probes used.</param>
/// <param name="Converged">Whether the stopping rule was met before the probe limit.</param>
/// <param name="Samples">vᵀHv for each probe, in order, so users can check the estimate themselves.</param>
/// <param name="Layers">The same estimate split by layer (the probes' contributions restricted to each layer).</param>
public sealed record TraceEstimate(double Mean, double StandardError, int Probes, bool Converged, IReadOnlyList<double> Samples, IReadOnlyList<LayerTrace> Layers);

/// <summary>One layer's share of the trace, with its own standard error.</summary>
public sealed record LayerTrace(string Layer, long Parameters, double Mean, double StandardError);
