using FlipGuard.Models;

namespace FlipGuard.Interop;

/// <summary>What an import did: the file and format, the architecture the weights went into, and what was adapted.</summary>
public sealed record ImportResult(
    string Source, string Format, ModelSpec Model, int Tensors, long Parameters,
    string? StrippedPrefix, IReadOnlyList<string> Converted, IReadOnlyList<string> Skipped);
