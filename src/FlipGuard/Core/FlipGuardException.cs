namespace FlipGuard.Core;

/// <summary>
/// A failure caused by the user's input or environment (missing file, corrupt checkpoint, bad flag),
/// whose message is one complete sentence meant to be shown as is; the CLI maps it to exit code 2.
/// </summary>
public class FlipGuardException : Exception
{
    /// <summary>Creates the exception with a one-line, user-facing message.</summary>
    public FlipGuardException(string message) : base(OneLine(message)) { }

    /// <summary>Creates the exception with a one-line message and the underlying cause.</summary>
    public FlipGuardException(string message, Exception inner) : base(OneLine(message), inner) { }

    /// <summary>
    /// The message with every control character written as an escape (<c>\n</c>, <c>\u001b</c>): messages quote
    /// names taken from hostile files (a zip entry, a tensor, a YAML key), and a newline there broke the one-line
    /// promise while an escape sequence could have rewritten the user's terminal.
    /// </summary>
    public static string OneLine(string message)
    {
        if (!message.Any(char.IsControl)) return message;
        var b = new System.Text.StringBuilder(message.Length + 16);
        foreach (char c in message)
            b.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        return b.ToString();
    }
}
