using FlipGuard.Faults.Targets;

namespace FlipGuard.Attacks;

/// <summary>A bit the search may flip, with its predicted first-order loss increase (gradient · change of the weight).</summary>
public readonly record struct BitCandidate(BitAddress Address, double Gain);
