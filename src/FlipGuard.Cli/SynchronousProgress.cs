namespace FlipGuard.Cli;

/// <summary>An IProgress that calls back on the reporting thread, so a live view updates in step with the work.</summary>
public sealed class SynchronousProgress<T>(Action<T> onReport) : IProgress<T>
{
    /// <inheritdoc />
    public void Report(T value) => onReport(value);
}
