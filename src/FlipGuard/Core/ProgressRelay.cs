namespace FlipGuard.Core;

/// <summary>
/// An <see cref="IProgress{T}"/> that calls its delegate at once, on the reporting thread: the one adapter the library,
/// the studies and the CLI use to turn one progress record into another (a study's fraction, a live bar's position).
/// </summary>
/// <remarks>
/// <see cref="Progress{T}"/> is not a substitute: it posts each report to the <see cref="SynchronizationContext"/>
/// captured when it was created, or to the thread pool when there is none (a console app, a test), so reports arrive
/// late, possibly out of order and even after the work has returned, on another thread. A progress bar then lags the
/// work, a study's progress line interleaves wrongly, and a test that cancels from a report ("kill after 74 flips")
/// does not cancel at that point. Reports here run in step with the work; the delegate must be quick and must not throw
/// unless it means to stop the work.
/// </remarks>
/// <typeparam name="T">The progress record.</typeparam>
public sealed class ProgressRelay<T>(Action<T> report) : IProgress<T>
{
    /// <summary>Calls the delegate with <paramref name="value"/> before returning.</summary>
    public void Report(T value) => report(value);
}
