using System.Diagnostics;
using FlipGuard.Checkpoints;

namespace FlipGuard.Tests.Cli;

/// <summary>
/// A real SIGINT or SIGTERM to a running child process (issue 21): the command stops cooperatively, prints what it
/// kept and how to continue, exits with 130 or 143, and the resumed run ends exactly like an uninterrupted one.
/// Before, both signals killed the process at once and the documented message never ran.
/// </summary>
[Trait("Category", TestCategories.EndToEnd)]
public class SignalTests
{
    private const int Sigint = 2, Sigterm = 15;

    private static int Kill(int pid, int signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", [$"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        kill.WaitForExit();
        return kill.ExitCode;
    }

    /// <summary>Starts the CLI, waits for <paramref name="ready"/>, sends <paramref name="signal"/>, returns the outcome.</summary>
    private static CliProcess.Result Interrupt(Func<bool> ready, int signal, params string[] args)
    {
        using var p = CliProcess.Start(args);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        while (!ready())
        {
            if (p.HasExited) Assert.Fail($"finished before it could be interrupted: {stderr.Result}");
            if (clock.Elapsed > TimeSpan.FromMinutes(3)) { p.Kill(true); Assert.Fail("never became ready"); }
            Thread.Sleep(50);
        }
        Assert.Equal(0, Kill(p.Id, signal));
        if (!p.WaitForExit(TimeSpan.FromMinutes(3))) { p.Kill(true); Assert.Fail("did not stop after the signal"); }
        return new CliProcess.Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    private static void AssertStoppedCleanly(CliProcess.Result r, int code, string message)
    {
        Assert.True(r.ExitCode == code, $"exit {r.ExitCode}: {r.Stderr}");
        Assert.Contains(message, r.Stderr);
        Assert.DoesNotContain("internal error", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr); // no stack trace
    }

    [Fact]
    public void SigintDuringTrainingKeepsTheFinishedEpochsAndTheResumedModelIsIdentical()
    {
        using var dir = new TempDirectory();
        string[] recipe = ["train", "-m", "lenet5", "--epochs", "4", "--train-limit", "3000", "--threads", "1", "--seed", "3"];
        var straight = CliProcess.Run([.. recipe, "-o", dir.File("straight.fgc")]);
        Assert.True(straight.ExitCode == 0, straight.Stderr);

        string target = dir.File("stopped.fgc");
        var stopped = Interrupt(() => Directory.Exists(target + ".state") && Directory.GetDirectories(target + ".state", "epoch-0001").Length > 0,
            Sigint, [.. recipe, "-o", target]);
        AssertStoppedCleanly(stopped, 130, "finished work was kept (rerun with --resume to continue)");
        Assert.False(File.Exists(target));

        var resumed = CliProcess.Run([.. recipe, "-o", target, "--resume"]);
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Equal(CheckpointFile.ReadMetadata(dir.File("straight.fgc")).WeightsSha256, CheckpointFile.ReadMetadata(target).WeightsSha256);
    }

    [Fact]
    public void SigintAndSigtermDuringASweepKeepTheJournalAndTheResumedSweepIsIdentical()
    {
        using var dir = new TempDirectory();
        var trained = CliProcess.Run("train", "-m", "mlp", "--epochs", "1", "--threads", "1", "-o", dir.File("m.fgc"));
        Assert.True(trained.ExitCode == 0, trained.Stderr);
        string[] sweep = ["sweep", dir.File("m.fgc"), "--bits", "30,31", "--params", "sample:1500", "--naive", "--limit", "500", "--block-size", "64", "--threads", "1", "--records"];
        var straight = CliProcess.Run([.. sweep, "-o", dir.File("straight")]);
        Assert.True(straight.ExitCode == 0, straight.Stderr);

        string journal = Path.Combine(dir.File("stopped"), "journal");
        bool HasBlocks() => Directory.Exists(journal) && Directory.GetFiles(journal, "block-*").Length > 1;
        var first = Interrupt(HasBlocks, Sigint, [.. sweep, "-o", dir.File("stopped")]);
        AssertStoppedCleanly(first, 130, "rerun with --resume to continue");
        int kept = Directory.GetFiles(journal, "block-*").Length;
        var second = Interrupt(() => Directory.GetFiles(journal, "block-*").Length > kept, Sigterm, [.. sweep, "-o", dir.File("stopped"), "--resume"]);
        AssertStoppedCleanly(second, 143, "rerun with --resume to continue");

        var resumed = CliProcess.Run([.. sweep, "-o", dir.File("stopped"), "--resume"]);
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Equal(File.ReadAllText(Path.Combine(dir.File("straight"), "records.csv")), File.ReadAllText(Path.Combine(dir.File("stopped"), "records.csv")));
    }

    [Fact]
    public void SigtermDuringAStudyKeepsFinishedStepsAndTheRerunMatches()
    {
        using var dir = new TempDirectory();
        string file = dir.File("tiny.yaml");
        File.WriteAllText(file, Studies.StudyYaml.Header("tiny") + """
            analyses:
              sweep:
                bits: exponent-msb
                params: sample:300
                limit: 300
                block-size: 16
            """);
        var straight = CliProcess.Run("study", file, "-o", dir.File("straight"), "--threads", "1");
        Assert.True(straight.ExitCode == 0, straight.Stderr);

        string stoppedDir = dir.File("stopped");
        var stopped = Interrupt(() => Directory.Exists(Path.Combine(stoppedDir, "checkpoints")) && Directory.GetFiles(Path.Combine(stoppedDir, "checkpoints"), "*.fgc").Length > 0,
            Sigterm, "study", file, "-o", stoppedDir, "--threads", "1");
        AssertStoppedCleanly(stopped, 143, "finished steps are kept");

        var rerun = CliProcess.Run("study", file, "-o", stoppedDir, "--threads", "1");
        Assert.True(rerun.ExitCode == 0, rerun.Stderr);
        static string Row(string folder) => File.ReadAllLines(Path.Combine(folder, "report.md")).First(l => l.StartsWith("| plain", StringComparison.Ordinal));
        Assert.Equal(Row(dir.File("straight")), Row(stoppedDir));
    }
}
