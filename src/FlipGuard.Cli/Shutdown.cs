using System.Runtime.InteropServices;

namespace FlipGuard.Cli;

/// <summary>
/// Turns SIGINT (Ctrl+C) and SIGTERM into cooperative cancellation: the first signal cancels <see cref="Token"/>, so
/// the running block, epoch or analysis is finished or dropped, the journals stay consistent and the command prints
/// what was kept and how to resume, exiting with 128 + the signal number (130, 143). A second signal exits at once.
/// Before this, either signal killed the process within 0.05 s and the documented message never ran.
/// </summary>
public static class Shutdown
{
    private static readonly CancellationTokenSource Source = new();
    private static readonly List<PosixSignalRegistration> Registrations = [];
    private static int exitCode;

    /// <summary>Cancelled by the first SIGINT or SIGTERM.</summary>
    public static CancellationToken Token => Source.Token;

    /// <summary>The exit code for a cancelled command: 143 after SIGTERM, otherwise 130 (Ctrl+C).</summary>
    public static int ExitCode => exitCode == 0 ? 130 : exitCode;

    /// <summary>Registers the handlers (once per process).</summary>
    public static void Install()
    {
        lock (Registrations)
        {
            if (Registrations.Count > 0) return;
            Registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, c => On(c, 130)));
            Registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => On(c, 143)));
        }
    }

    private static void On(PosixSignalContext context, int code)
    {
        if (Interlocked.CompareExchange(ref exitCode, code, 0) != 0)
        {
            context.Cancel = false; // the second signal: the default action, which ends the process now
            return;
        }
        context.Cancel = true;
        Console.Error.WriteLine($"flipguard: {(code == 130 ? "interrupted" : "terminated")}; stopping after the current step (signal again to exit at once)");
        Source.Cancel();
    }
}
