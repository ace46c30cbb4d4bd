namespace FlipGuard.Studies;

/// <summary>
/// One measured value of a <see cref="MetricKind"/> on one model, with a 95% interval when the measurement itself
/// samples (a Hutchinson trace, a sampled sweep, accuracy on a finite test set); null bounds mean the value is exact
/// for this model.
/// </summary>
public sealed record MetricValue(string Name, double Value, double? Low = null, double? High = null);
