using FlipGuard.Core;

namespace FlipGuard.Tests.Core;

/// <summary>
/// A refusal quotes names taken from the hostile file itself; the fuzzer found a zip entry named with a newline,
/// which broke the one-line promise. Control characters are escaped in every message.
/// </summary>
public class FlipGuardExceptionTests
{
    [Theory]
    [InlineData("corrupt record ls\nrm -rf", "corrupt record ls\\nrm -rf")]
    [InlineData("tensor \u001b[2Jcleared", "tensor \\u001b[2Jcleared")]
    [InlineData("a\tb\rc\0d", "a\\tb\\rc\\u0000d")]
    [InlineData("plain: nothing to escape (ü, ×, →)", "plain: nothing to escape (ü, ×, →)")]
    public void MessagesAreOneLineWhateverTheyQuote(string message, string expected)
    {
        Assert.Equal(expected, new FlipGuardException(message).Message);
        Assert.Equal(expected, new FlipGuardException(message, new InvalidOperationException()).Message);
    }
}
