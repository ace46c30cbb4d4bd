using System.Diagnostics;
using FlipGuard.Core;
using FlipGuard.Studies.Results;
using Microsoft.Data.Sqlite;

namespace FlipGuard.Tests.Core;

/// <summary>
/// Outputs that cannot be written, temporary files of killed writers, and a results store that is not ours (issue 21):
/// each a one-line <see cref="FlipGuardException"/> naming the path, nothing left behind, nothing foreign modified.
/// </summary>
public class UnwritableOutputTests
{
    public static TheoryData<string> Unwritable => new() { "target is a folder", "parent is a file", "pseudo file system" };

    [Theory]
    [MemberData(nameof(Unwritable))]
    public void AnUnwritableTargetIsOneSentenceNamingIt(string what)
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("file"), "x");
        Directory.CreateDirectory(dir.File("folder"));
        string target = what switch
        {
            "target is a folder" => dir.File("folder"),
            "parent is a file" => Path.Combine(dir.File("file"), "out.json"),
            _ => "/proc/flipguard-test/out.json",
        };
        foreach (bool create in new[] { false, true })
        {
            var e = Assert.Throws<FlipGuardException>(() => AtomicFile.WriteText(target, "{}", createFolder: create));
            Assert.DoesNotContain('\n', e.Message);
            Assert.Contains(create && what != "target is a folder" ? Path.GetDirectoryName(target)! : target, e.Message);
        }
        Assert.Equal("x", File.ReadAllText(dir.File("file")));
        Assert.Empty(Directory.GetFileSystemEntries(dir.File("folder")));
    }

    [Fact]
    public void AFolderThatCannotBeCreatedIsNamed()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("file"), "x");
        var e = Assert.Throws<FlipGuardException>(() => OutputFolder.Create(Path.Combine(dir.File("file"), "sub")));
        Assert.Contains("cannot create the folder", e.Message);
        Assert.Throws<FlipGuardException>(() => OutputFolder.Create("/proc/flipguard-test"));
    }

    [Fact]
    public void TemporaryFilesOfDeadWritersAreRemovedByTheNextWriteThere()
    {
        using var dir = new TempDirectory();
        int dead = DeadPid();
        string orphan = dir.File($".m.fgc.{dead}-0123456789abcdef.tmp");
        string live = dir.File($".m.fgc.{Environment.ProcessId}-fedcba9876543210.tmp");
        string foreign = dir.File(".notes.tmp");
        foreach (string f in new[] { orphan, live, foreign }) File.WriteAllText(f, "partial");

        AtomicFile.WriteText(dir.File("other.json"), "{}");

        Assert.False(File.Exists(orphan));
        Assert.True(File.Exists(live)); // a writer that is still running keeps its file
        Assert.True(File.Exists(foreign)); // not named like ours: not touched
    }

    [Fact]
    public void AForeignSqliteFileIsRefusedAndLeftUntouched()
    {
        using var dir = new TempDirectory();
        string path = dir.File("other.db");
        using (var db = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            db.Open();
            using var c = db.CreateCommand();
            c.CommandText = "CREATE TABLE customers(id INTEGER); INSERT INTO customers VALUES (1)";
            c.ExecuteNonQuery();
        }
        byte[] before = File.ReadAllBytes(path);
        foreach (bool create in new[] { false, true })
        {
            var e = Assert.Throws<FlipGuardException>(() => ResultsStore.Open(path, create));
            Assert.Contains("not a FlipGuard results store", e.Message);
        }
        Assert.Equal(before, File.ReadAllBytes(path));

        File.WriteAllBytes(dir.File("empty.db"), []);
        Assert.Contains("is empty", Assert.Throws<FlipGuardException>(() => ResultsStore.Open(dir.File("empty.db"), create: false)).Message);
        File.WriteAllText(dir.File("text.db"), "hello, this is not a database at all");
        Assert.Contains("not an SQLite file", Assert.Throws<FlipGuardException>(() => ResultsStore.Open(dir.File("text.db"), create: true)).Message);
        Assert.Equal("hello, this is not a database at all", File.ReadAllText(dir.File("text.db")));
        Assert.Contains("is a folder", Assert.Throws<FlipGuardException>(() => ResultsStore.Open(dir.Path, create: true)).Message);
    }

    [Fact]
    public void AFreshOrOwnStoreStillOpens()
    {
        using var dir = new TempDirectory();
        using (ResultsStore.Open(dir.File("r.db"), create: true)) { }
        using (ResultsStore.Open(dir.File("r.db"), create: false)) { }
        File.WriteAllBytes(dir.File("empty.db"), []);
        using (ResultsStore.Open(dir.File("empty.db"), create: true)) { } // an empty file is a new store when creating
    }

    private static int DeadPid()
    {
        using var p = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        p.WaitForExit();
        return p.Id;
    }
}
