using System.Text.Json.Serialization;
using static TorchSharp.torch;

namespace FlipGuard.Hessian;

/// <summary>The largest Hessian eigenvalues (descending) with their eigenvectors and what they cost.</summary>
/// <param name="Values">Eigenvalues, largest first.</param>
/// <param name="Method">lanczos or power.</param>
/// <param name="HessianVectorProducts">Products spent, the fair unit for comparing methods.</param>
public sealed record EigenEstimate(double[] Values, string Method, int HessianVectorProducts)
{
    /// <summary>Unit eigenvectors as flat float tensors (not serialised).</summary>
    [JsonIgnore] public IReadOnlyList<Tensor> Vectors { get; init; } = [];
}
