using System.Text;
using FlipGuard.Core;

namespace FlipGuard.Tests.Core;

/// <summary>The one atomic writer: content lands whole, nothing is left behind, a failed write changes nothing.</summary>
public class AtomicFileTests
{
    private const string Text = "größe,ñ\nläuft 🙂\n";

    /// <summary>Every entry point, writing <see cref="Text"/>'s UTF-8 bytes.</summary>
    public static TheoryData<string> EntryPoints => new() { "bytes", "text", "stream", "text-writer", "async" };

    private static void WriteVia(string entry, string path, bool createFolder = false)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(Text);
        switch (entry)
        {
            case "bytes": AtomicFile.Write(path, bytes, createFolder); break;
            case "text": AtomicFile.WriteText(path, Text, createFolder); break;
            case "stream": AtomicFile.Write(path, s => { s.Write(bytes, 0, 3); s.Write(bytes, 3, bytes.Length - 3); }, createFolder); break;
            case "text-writer": AtomicFile.WriteText(path, w => { w.Write("größe,ñ"); w.Write('\n'); w.Write("läuft 🙂\n"); }, createFolder); break;
            case "async": AtomicFile.WriteAsync(path, (s, ct) => s.WriteAsync(bytes, ct).AsTask(), createFolder).GetAwaiter().GetResult(); break;
            default: throw new ArgumentException(entry);
        }
    }

    private static void FailVia(string entry, string path)
    {
        var boom = new InvalidOperationException("boom");
        switch (entry)
        {
            case "stream": AtomicFile.Write(path, s => { s.Write([1, 2, 3]); throw boom; }); break;
            case "text-writer": AtomicFile.WriteText(path, w => { w.Write(new string('x', 100_000)); throw boom; }); break;
            case "async": AtomicFile.WriteAsync(path, async (s, ct) => { await s.WriteAsync(new byte[10], ct); throw boom; }).GetAwaiter().GetResult(); break;
            default: throw new ArgumentException(entry);
        }
    }

    [Theory]
    [MemberData(nameof(EntryPoints))]
    public void ContentLandsWholeAndNoTemporaryFileIsLeft(string entry)
    {
        using var dir = new TempDirectory();
        string path = dir.File("out.txt");
        WriteVia(entry, path);
        Assert.Equal(Encoding.UTF8.GetBytes(Text), File.ReadAllBytes(path)); // UTF-8 without a byte-order mark
        Assert.Equal([path], Directory.GetFiles(dir.Path));

        File.WriteAllText(path, "an older, longer content that must be replaced entirely");
        WriteVia(entry, path);
        Assert.Equal(Text, File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(dir.Path));
    }

    [Theory]
    [InlineData("stream")]
    [InlineData("text-writer")]
    [InlineData("async")]
    public void AnExceptionInsideTheCallbackLeavesTheOldFileUntouchedAndNoTemporaryFile(string entry)
    {
        using var dir = new TempDirectory();
        string path = dir.File("keep.bin");
        File.WriteAllBytes(path, [9, 8, 7]);
        var e = Assert.Throws<InvalidOperationException>(() => FailVia(entry, path));
        Assert.Equal("boom", e.Message);
        Assert.Equal([9, 8, 7], File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(dir.Path));

        string absent = dir.File("never.bin");
        Assert.Throws<InvalidOperationException>(() => FailVia(entry, absent));
        Assert.False(File.Exists(absent));
        Assert.Equal([path], Directory.GetFiles(dir.Path));
    }

    [Theory]
    [MemberData(nameof(EntryPoints))]
    public void AMissingFolderIsAClearErrorUnlessAskedToCreateIt(string entry)
    {
        using var dir = new TempDirectory();
        string folder = Path.Combine(dir.Path, "a", "b");
        string path = Path.Combine(folder, "out.txt");
        var e = Assert.Throws<FlipGuardException>(() => WriteVia(entry, path));
        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains(folder, e.Message);
        Assert.Contains("does not exist", e.Message);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "a")));

        WriteVia(entry, path, createFolder: true);
        Assert.Equal(Text, File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(folder));
    }

    [Fact]
    public void TheTemporaryFileSitsBesideTheTargetUnderANameOnlyTheJournalsCleanUpMatches()
    {
        using var dir = new TempDirectory();
        string path = dir.File("block-00000004.bin");
        string[] during = [];
        AtomicFile.Write(path, s =>
        {
            s.WriteByte(1);
            during = Directory.GetFiles(dir.Path);
        });
        string temporary = Path.GetFileName(Assert.Single(during));
        Assert.StartsWith(".block-00000004.bin.", temporary); // hidden, and not matched by the journals' block-* / unit-* patterns
        Assert.EndsWith(".tmp", temporary); // matched by their *.tmp clean-up of a crashed run's leftovers
        Assert.Equal([path], Directory.GetFiles(dir.Path));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public void ConcurrentWritersOfOneTargetNeverTearIt()
    {
        using var dir = new TempDirectory();
        string path = dir.File("shared.bin");
        var contents = Enumerable.Range(0, 8).Select(k => Enumerable.Repeat((byte)k, 200_000 + k).ToArray()).ToArray();
        Parallel.For(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => AtomicFile.Write(path, contents[i % contents.Length]));
        byte[] final = File.ReadAllBytes(path);
        Assert.Contains(contents, c => c.AsSpan().SequenceEqual(final));
        Assert.Equal([path], Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void TextMatchesWhatTheReplacedWritersProduced()
    {
        // The CSV writers used new StreamWriter(path) and the JSON outputs File.WriteAllText(path, text); the files
        // must keep their exact bytes (encoding, no byte-order mark, line endings).
        using var dir = new TempDirectory();
        string before = dir.File("before.csv"), after = dir.File("after.csv");
        using (var w = new StreamWriter(before)) { w.WriteLine("a,b"); w.Write("ö"); w.WriteLine(1.5); }
        AtomicFile.WriteText(after, w => { w.WriteLine("a,b"); w.Write("ö"); w.WriteLine(1.5); });
        Assert.Equal(File.ReadAllBytes(before), File.ReadAllBytes(after));
        File.WriteAllText(before, Text);
        AtomicFile.WriteText(after, Text);
        Assert.Equal(File.ReadAllBytes(before), File.ReadAllBytes(after));
    }
}
