namespace FlipGuard.Faults.Targets;

/// <summary>
/// One bit of a <see cref="FlipTarget"/>: tensor (index into <see cref="FlipTarget.Tensors"/>), flat entry index and
/// bit position (float32 0–31, int8 0–7). Attacks and fault injection name their flips by it so that a trajectory
/// or a trial can be replayed exactly.
/// </summary>
public readonly record struct BitAddress(int Tensor, long Index, int Bit);
