namespace FlipGuard.Faults.Targets;

/// <summary>
/// What a parameter tensor is for, from its name and shape. Weights (<c>*.weight</c> with ≥ 2 dimensions) are
/// what int8 deployments quantise and what <c>--params weights</c> selects; biases and normalisation
/// parameters stay float32 in int8 mode.
/// </summary>
public enum TensorKind
{
    /// <summary>A <c>*.weight</c> tensor with at least 2 dimensions (dense or convolution kernel).</summary>
    Weight,
    /// <summary>A <c>*.bias</c> tensor.</summary>
    Bias,
    /// <summary>Anything else (batch-norm scale, 1-D weights).</summary>
    Other,
}
