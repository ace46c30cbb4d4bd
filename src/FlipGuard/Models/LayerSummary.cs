namespace FlipGuard.Models;

/// <summary>
/// One layer of a built described architecture, for <c>flipguard models describe</c> and validation messages:
/// its state-dict path, type, output shape (per sample) and number of trainable parameters.
/// </summary>
public sealed record LayerSummary(string Path, string Type, long[] OutputShape, long Parameters);
