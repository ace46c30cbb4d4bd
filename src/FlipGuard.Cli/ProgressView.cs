using Spectre.Console;

namespace FlipGuard.Cli;

/// <summary>
/// Runs long work under a Spectre.Console progress bar (percentage, elapsed, remaining) unless output is
/// JSON, so library code only reports through IProgress and never touches the console.
/// </summary>
public static class ProgressView
{
    /// <summary>Runs <paramref name="work"/>, handing it a task whose value (0–max) and description it updates.</summary>
    public static T Run<T>(bool quiet, string title, double max, Func<ProgressTaskHandle, T> work)
    {
        if (quiet) return work(new ProgressTaskHandle(null));
        return AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx => work(new ProgressTaskHandle(ctx.AddTask(Markup.Escape(title), maxValue: max))));
    }
}

/// <summary>A progress task that may be absent (JSON mode); updates are then ignored.</summary>
public sealed class ProgressTaskHandle(ProgressTask? task)
{
    /// <summary>Sets the bar's position.</summary>
    public double Value { set { if (task != null) task.Value = value; } }

    /// <summary>Sets the text left of the bar.</summary>
    public string Description { set { if (task != null) task.Description = Markup.Escape(value); } }

    /// <summary>Prints a line above the live bar (nothing in JSON mode).</summary>
    public void Log(string markup)
    {
        if (task != null) AnsiConsole.MarkupLine(markup);
    }
}
