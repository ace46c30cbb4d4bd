namespace FlipGuard.Hessian;

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
