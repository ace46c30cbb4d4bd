using System.Diagnostics;
using FlipGuard.Core;

namespace FlipGuard.Tests.Core;

/// <summary>
/// Two runs on one output folder (issue 21): the second is told who holds it instead of dying with an internal error,
/// and a holder that died (even by <c>kill -9</c>) leaves no lock behind.
/// </summary>
public class FolderLockTests
{
    [Fact]
    public void ASecondHolderIsToldWhoHoldsTheFolder()
    {
        using var dir = new TempDirectory();
        string folder = dir.File("study");
        using (FolderLock.Acquire(folder, "study"))
        {
            var e = Assert.Throws<FlipGuardException>(() => FolderLock.Acquire(folder, "study"));
            Assert.Contains($"in use by another run (PID {Environment.ProcessId}", e.Message);
            Assert.DoesNotContain('\n', e.Message);
        }
        using (FolderLock.Acquire(folder, "study")) { } // released on dispose
    }

    [Fact]
    public void AJournalHeldByOneRunIsRefusedToAnotherAndFreedAfterwards()
    {
        using var dir = new TempDirectory();
        string folder = dir.File("journal");
        using (var journal = RecordJournal.Open(folder, new { run = 1 }, resume: false))
        {
            var e = Assert.Throws<FlipGuardException>(() => RecordJournal.Open(folder, new { run = 1 }, resume: true));
            Assert.Contains("is in use by", e.Message);
        }
        using (RecordJournal.Open(folder, new { run = 1 }, resume: true)) { }
    }

    [Fact]
    public void AKilledHolderLeavesNoStaleLock()
    {
        using var dir = new TempDirectory();
        string folder = Directory.CreateDirectory(dir.File("f")).FullName;
        string lockFile = Path.Combine(folder, FolderLock.FileName);
        // flock(1) holds the same kind of lock .NET's FileShare.None takes; kill -9 it while it holds the folder.
        using var holder = Process.Start(new ProcessStartInfo("flock", ["-x", "-o", lockFile, "sleep", "60"]) { UseShellExecute = false })!;
        var clock = Stopwatch.StartNew();
        FlipGuardException? refused = null;
        while (clock.Elapsed < TimeSpan.FromSeconds(20) && refused is null)
        {
            try { FolderLock.Acquire(folder, "study").Dispose(); Thread.Sleep(20); }
            catch (FlipGuardException e) { refused = e; }
        }
        Assert.NotNull(refused); // the other process's hold is seen
        holder.Kill();
        holder.WaitForExit();
        using (FolderLock.Acquire(folder, "study")) { } // and gone with the process
    }
}
