namespace FlipGuard.Fuzz;

/// <summary>
/// One reader under fuzzing: the file name its input is written to (readers take paths, and several decide by the
/// extension), the managed-allocation budget one input may use, and the call. An input passes when the reader
/// returns, or throws a <see cref="Core.FlipGuardException"/> (the one-line refusal the CLI turns into exit code 2),
/// within the budget; anything else — another exception, an allocation over the budget — is a finding.
/// </summary>
/// <param name="Name">What <c>FlipGuard.Fuzz NAME</c> and the corpus folder call it.</param>
/// <param name="FileName">The name the input is written under.</param>
/// <param name="BudgetBytes">The most managed memory one input may allocate (the reader's documented budget plus slack for the result).</param>
/// <param name="Read">The reader, given the input's path and a scratch folder.</param>
public sealed record FuzzHarness(string Name, string FileName, long BudgetBytes, Action<string, string> Read);

/// <summary>An input that made a reader fail otherwise than with a one-line refusal, or allocate beyond its budget.</summary>
public sealed class FuzzFindingException(string message, Exception? inner = null) : Exception(message, inner);
