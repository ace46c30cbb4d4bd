using System.CommandLine;
using FlipGuard.Core;
namespace FlipGuard.Cli;

/// <summary>
/// Runs the parsed command line and maps every failure to one line and an exit code: 2 for bad input
/// (bad flag, missing or corrupt file), 130 for Ctrl+C (143 for SIGTERM; see <see cref="Shutdown"/>), 1 for a bug (stack trace only with FLIPGUARD_DEBUG=1).
/// </summary>
public static class CommandRunner
{
    /// <summary>Exit code for user errors.</summary>
    public const int UserError = 2;

    /// <summary>Parses and invokes; never lets an exception escape as a stack trace.</summary>
    public static int Run(RootCommand root, string[] args)
    {
        // Redirected output (a log file, CI) has no terminal width; Spectre would assume 80 columns and chop wide
        // tables into unreadable slivers, so give it room instead.
        if (Console.IsOutputRedirected) Spectre.Console.AnsiConsole.Profile.Width = 240;
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            string command = parsed.CommandResult.Command == root ? "" : " " + parsed.CommandResult.Command.Name;
            string message = string.Join(" ", parsed.Errors[0].Message.Split(['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(p => p.Trim()));
            Console.Error.WriteLine($"flipguard: {message} (see 'flipguard{command} --help')");
            return UserError;
        }
        if (UnknownOptionAmongArguments(parsed) is { } unknown)
        {
            string command = parsed.CommandResult.Command == root ? "" : " " + parsed.CommandResult.Command.Name;
            Console.Error.WriteLine($"flipguard: unknown option '{unknown}' (see 'flipguard{command} --help')");
            return UserError;
        }
        Shutdown.Install();
        return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
    }

    /// <summary>
    /// A token that looks like an option but was taken as a positional argument: a command with a list of files
    /// (<c>attack A.fgc B.fgc</c>) swallows an unknown <c>--int8</c> as a file name, which then ended in
    /// "--int8: checkpoint not found".
    /// </summary>
    private static string? UnknownOptionAmongArguments(ParseResult parsed) =>
        parsed.CommandResult.Children.OfType<System.CommandLine.Parsing.ArgumentResult>()
            .SelectMany(a => a.Tokens).Select(t => t.Value)
            .FirstOrDefault(v => v.Length > 1 && v[0] == '-' && !double.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out _));

    /// <summary>Builds an action that runs <paramref name="body"/> with Ctrl+C mapped to cancellation.</summary>
    public static Func<ParseResult, CancellationToken, Task<int>> Action(Func<ParseResult, CancellationToken, int> body) =>
        (parse, _) => Task.FromResult(Execute(() => body(parse, Shutdown.Token)));

    private static int Execute(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (FlipGuardException e)
        {
            Console.Error.WriteLine($"flipguard: error: {e.Message}");
            return UserError;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The environment, not FlipGuard: a full disk, a permission, a file another program holds. The readers and
            // writers name their paths themselves; this catches what slips past them, still as one line.
            Console.Error.WriteLine($"flipguard: error: {OutputFolder.Reason(e)}");
            return UserError;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("flipguard: cancelled; finished work was kept (rerun with --resume to continue)");
            return Shutdown.ExitCode;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("FLIPGUARD_DEBUG") != "1")
        {
            Console.Error.WriteLine($"flipguard: internal error: {e.GetType().Name}: {e.Message.Split('\n')[0]} (set FLIPGUARD_DEBUG=1 for the stack trace; please report it)");
            return 1;
        }
    }
}
