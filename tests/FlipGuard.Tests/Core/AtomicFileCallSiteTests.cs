using FlipGuard.Charts;
using FlipGuard.Checkpoints;
using FlipGuard.Core;
using FlipGuard.Data.Formats;
using FlipGuard.Interop;
using FlipGuard.Interop.PyTorch;
using FlipGuard.Models;

namespace FlipGuard.Tests.Core;

/// <summary>
/// The writers that went over to <see cref="AtomicFile"/> keep their folder behaviour: those that created the target's
/// folder still do, those that did not now fail with one clear sentence instead of a bare DirectoryNotFoundException;
/// none leaves a temporary file behind.
/// </summary>
public class AtomicFileCallSiteTests
{
    [Fact]
    public void CheckpointsExportsAndChartsCreateTheirFolder()
    {
        using var dir = new TempDirectory();
        string nested = Path.Combine(dir.Path, "a", "b");
        var spec = new ModelSpec("mlp", 1, 28, 28, 10);
        using var model = spec.Create(seed: 1);
        CheckpointFile.Save(Path.Combine(nested, "m.fgc"), model, new CheckpointMetadata { Model = spec });
        Assert.Equal(spec, CheckpointFile.ReadMetadata(Path.Combine(nested, "m.fgc")).Model);

        var tensors = new[] { new StoredTensor("w", TensorDType.Float32, [2], new byte[8]) };
        SafeTensorsFile.Write(Path.Combine(dir.Path, "s", "w.safetensors"), tensors);
        Assert.Equal("w", Assert.Single(SafeTensorsFile.Read(Path.Combine(dir.Path, "s", "w.safetensors")).Tensors).Name);
        StateDictWriter.Write(Path.Combine(dir.Path, "p", "w.pt"), tensors);
        Assert.Equal("w", Assert.Single(StateDictReader.Read(Path.Combine(dir.Path, "p", "w.pt"))).Name);

        string png = PngChart.Lines(Path.Combine(dir.Path, "c", "line.png"), "t", "x", "y", [("s", [0.0, 1.0], [1.0, 2.0])]);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(png)[..4]);

        Assert.Equal(4, Directory.GetFiles(dir.Path, "*", SearchOption.AllDirectories).Length);
    }

    [Fact]
    public void WritersThatNeverCreatedTheirFolderNameTheMissingOne()
    {
        using var dir = new TempDirectory();
        string missing = Path.Combine(dir.Path, "missing");
        var idx = Assert.Throws<FlipGuardException>(() => IdxWriter.Write(Path.Combine(missing, "x.idx"), 0x801, [1], [7], gzip: false));
        var json = Assert.Throws<FlipGuardException>(() => FlipGuard.Cli.AttackOutput.WriteJson(Path.Combine(missing, "summary.json"), new { a = 1 }));
        foreach (var e in new[] { idx, json })
        {
            Assert.Contains(missing, e.Message);
            Assert.DoesNotContain('\n', e.Message);
        }
        Assert.False(Directory.Exists(missing));

        FlipGuard.Cli.AttackOutput.WriteJson(dir.File("summary.json"), new { a = 1 });
        Assert.Contains("\"a\": 1", File.ReadAllText(dir.File("summary.json")));
        Assert.Equal([dir.File("summary.json")], Directory.GetFiles(dir.Path));
    }
}
