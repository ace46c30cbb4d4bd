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
    [Trait("Category", TestCategories.EndToEnd)]
    public async Task ASecondSweepOnTheSameFolderIsToldItIsInUse()
    {
        using var dir = new TempDirectory();
        Assert.Equal(0, Cli.CliProcess.Run("train", "-m", "mlp", "--epochs", "1", "--train-limit", "500", "--threads", "1", "-o", dir.File("m.fgc")).ExitCode);
        string[] sweep = ["sweep", dir.File("m.fgc"), "--bits", "30,31", "--params", "sample:3000", "--naive", "--limit", "500", "--block-size", "64",
            "--threads", "1", "-o", dir.File("s"), "--resume"];
        using var first = Cli.CliProcess.Start(sweep);
        var firstErr = first.StandardError.ReadToEndAsync();
        var firstOut = first.StandardOutput.ReadToEndAsync();
        string journal = Path.Combine(dir.File("s"), "journal");
        var clock = Stopwatch.StartNew();
        while (!(Directory.Exists(journal) && Directory.GetFiles(journal, "block-*").Length > 0) && !first.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2))
            Thread.Sleep(50);
        Assert.False(first.HasExited, "the first sweep ended before the second could start");
        var second = Cli.CliProcess.Run(sweep);
        first.Kill(entireProcessTree: true);
        first.WaitForExit();
        await firstOut;
        Assert.True(second.ExitCode == 2, $"exit {second.ExitCode}: {second.Stderr} (first: {await firstErr})");
        Assert.Contains($"in use by another run (PID {first.Id}", second.Stderr);
        Assert.Single(second.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
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
