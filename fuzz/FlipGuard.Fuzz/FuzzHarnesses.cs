using FlipGuard.Checkpoints;
using FlipGuard.Core;
using FlipGuard.Data.Formats;
using FlipGuard.Interop;
using FlipGuard.Interop.Onnx;
using FlipGuard.Interop.PyTorch;
using FlipGuard.Models.Described;
using FlipGuard.Studies;
using FlipGuard.Studies.Results;

namespace FlipGuard.Fuzz;

/// <summary>
/// Every input format FlipGuard reads, as a fuzz harness (issue 21). The budgets are the documented ones: a reader
/// may hold what the file itself holds (inputs here are at most a megabyte), plus what its header may declare
/// within the readers' limits — never a size taken on trust.
/// </summary>
public static class FuzzHarnesses
{
    private const long Megabyte = 1 << 20;

    /// <summary>The harnesses by name.</summary>
    public static IReadOnlyList<FuzzHarness> All { get; } =
    [
        new("checkpoint", "input.fgc", 64 * Megabyte, (path, _) => CheckpointFile.Load(path).Model.Dispose()),
        new("idx", "input-idx", 64 * Megabyte, (path, _) => IdxReader.ReadImages(path)),
        new("idx-labels", "input-idx1", 64 * Megabyte, (path, _) => IdxReader.ReadLabels(path)),
        new("cifar-archive", "cifar-10-binary.tar.gz", 128 * Megabyte + Cifar10Reader.MaxBatchBytes, (path, _) => Cifar10Reader.ReadArchive(path)),
        new("pytorch", "input.pt", 64 * Megabyte, (path, _) => StateDictReader.Read(path)),
        new("safetensors", "input.safetensors", 64 * Megabyte, (path, _) =>
        {
            var (_, metadata) = SafeTensorsFile.Read(path);
            InteropMetadata.Spec(metadata, path);
            InteropMetadata.Normalization(metadata, path);
        }),
        new("onnx", "input.onnx", 64 * Megabyte, (path, _) => OnnxWeightsReader.Read(path)),
        new("study-yaml", "input.yaml", 64 * Megabyte, (path, scratch) => StudyConfig.Parse(File.ReadAllText(path), path, scratch)),
        new("architecture-json", "input.json", 256 * Megabyte, (path, _) =>
        {
            var description = ArchitectureDescription.Load(path);
            Models.ModelSpec.Described(description, 1, 8, 8, 10);
        }),
        new("results-store", "input.db", 64 * Megabyte, (path, _) =>
        {
            using var store = ResultsStore.Open(path, create: false);
            store.Read();
        }),
    ];

    /// <summary>The harness called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No such harness.</exception>
    public static FuzzHarness Find(string name) => All.FirstOrDefault(h => h.Name == name)
        ?? throw new ArgumentException($"no harness '{name}' (known: {string.Join(", ", All.Select(h => h.Name))})");

    /// <summary>
    /// Runs one input through <paramref name="harness"/> in <paramref name="scratch"/> (a folder of its own); throws a
    /// <see cref="FuzzFindingException"/> for anything but success or a one-line <see cref="FlipGuardException"/>.
    /// </summary>
    public static void Run(FuzzHarness harness, ReadOnlySpan<byte> input, string scratch)
    {
        string path = Path.Combine(scratch, harness.FileName);
        File.WriteAllBytes(path, input.ToArray());
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            harness.Read(path, scratch);
        }
        catch (FlipGuardException e) when (!e.Message.Contains('\n'))
        {
        }
        catch (FlipGuardException e)
        {
            throw new FuzzFindingException($"{harness.Name}: a refusal of more than one line: {e.Message}", e);
        }
        catch (Exception e)
        {
            throw new FuzzFindingException($"{harness.Name}: {e.GetType().Name}: {e.Message.Split('\n')[0]}", e);
        }
        long used = GC.GetAllocatedBytesForCurrentThread() - before;
        if (used > harness.BudgetBytes)
            throw new FuzzFindingException($"{harness.Name}: allocated {used:N0} bytes for a {input.Length:N0}-byte input (budget {harness.BudgetBytes:N0})");
    }
}
