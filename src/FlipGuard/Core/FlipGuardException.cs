namespace FlipGuard.Core;

/// <summary>
/// A failure caused by the user's input or environment (missing file, corrupt checkpoint, bad flag),
/// whose message is one complete sentence meant to be shown as is; the CLI maps it to exit code 2.
/// </summary>
public class FlipGuardException : Exception
{
    /// <summary>Creates the exception with a one-line, user-facing message.</summary>
    public FlipGuardException(string message) : base(message) { }

    /// <summary>Creates the exception with a one-line message and the underlying cause.</summary>
    public FlipGuardException(string message, Exception inner) : base(message, inner) { }
}
