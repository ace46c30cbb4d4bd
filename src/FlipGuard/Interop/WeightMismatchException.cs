using FlipGuard.Core;

namespace FlipGuard.Interop;

/// <summary>
/// A weight file does not fit the architecture. The message is one line listing the differing tensors (a few of
/// each kind); the full lists are kept for callers that want them all.
/// </summary>
public sealed class WeightMismatchException : FlipGuardException
{
    private const int Shown = 4;

    /// <summary>Builds the exception and its one-line message.</summary>
    public WeightMismatchException(string source, string architecture, IReadOnlyList<TensorMismatch> missing, IReadOnlyList<TensorMismatch> unexpected, IReadOnlyList<TensorMismatch> different)
        : base(Compose(source, architecture, missing, unexpected, different))
    {
        (Missing, Unexpected, Different) = (missing, unexpected, different);
    }

    /// <summary>Tensors the architecture needs that the file lacks.</summary>
    public IReadOnlyList<TensorMismatch> Missing { get; }
    /// <summary>Tensors in the file the architecture does not have.</summary>
    public IReadOnlyList<TensorMismatch> Unexpected { get; }
    /// <summary>Tensors in both whose shape or element type differs.</summary>
    public IReadOnlyList<TensorMismatch> Different { get; }

    private static string Compose(string source, string architecture, IReadOnlyList<TensorMismatch> missing, IReadOnlyList<TensorMismatch> unexpected, IReadOnlyList<TensorMismatch> different)
    {
        var parts = new List<string>();
        if (different.Count > 0) parts.Add($"{different.Count} differ ({List(different)})");
        if (missing.Count > 0) parts.Add($"{missing.Count} missing from the file ({List(missing)})");
        if (unexpected.Count > 0) parts.Add($"{unexpected.Count} not in the architecture ({List(unexpected)})");
        return $"{source} does not match architecture {architecture}: {string.Join("; ", parts)}";
    }

    private static string List(IReadOnlyList<TensorMismatch> items) =>
        string.Join(", ", items.Take(Shown)) + (items.Count > Shown ? $", … {items.Count - Shown} more" : "");
}
