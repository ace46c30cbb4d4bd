namespace FlipGuard.Defenses.Ecc;

/// <summary>
/// Which 64-bit words of each tensor selective ECC protects (see <see cref="EccWords"/>), with a label saying how
/// they were chosen (e.g. <c>hessian top 1%</c>). Null per-tensor arrays are not allowed: use <see cref="All"/>.
/// </summary>
public sealed record WordSelection(string Label, IReadOnlyList<bool[]> Protected)
{
    /// <summary>Every word of every tensor: marker for full protection (resolved against the target on use).</summary>
    public static WordSelection All { get; } = new("all", []);

    /// <summary>Whether this is full protection.</summary>
    public bool IsAll => ReferenceEquals(this, All) || (Protected.Count == 0 && Label == "all");

    /// <summary>Protected words in all.</summary>
    public long Count => Protected.Sum(p => (long)p.Count(x => x));
}
