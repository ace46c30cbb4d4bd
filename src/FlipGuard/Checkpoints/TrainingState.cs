using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FlipGuard.Core;
using FlipGuard.Models;
using FlipGuard.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FlipGuard.Checkpoints;

/// <summary>
/// Per-epoch snapshots of a training run (weights, optimiser state, history) so a killed run resumes from its
/// last finished epoch and ends with the same weights as an uninterrupted one. Each snapshot is written into a
/// temporary folder and renamed into place, so a crash never leaves a half-written epoch behind.
/// </summary>
public sealed class TrainingState : ITrainingSnapshots
{
    private readonly string directory;

    /// <summary>Snapshots live in <paramref name="directory"/> (created on first save).</summary>
    public TrainingState(string directory) => this.directory = directory;

    /// <summary>Stores the state reached after <paramref name="epoch"/> and removes older snapshots.</summary>
    public void Save(int epoch, TrainingConfig config, ModelSpec spec, nn.Module model, OptimizerHelper optimizer, IReadOnlyList<EpochRecord> history)
    {
        OutputFolder.Create(directory);
        string final = Path.Combine(directory, $"epoch-{epoch:D4}");
        string tmp = final + ".tmp";
        if (Directory.Exists(tmp)) Directory.Delete(tmp, true);
        OutputFolder.Create(tmp);
        CheckpointFile.Save(Path.Combine(tmp, "model.fgc"), model, new CheckpointMetadata { Model = spec, Training = config });
        byte[] optimizerBytes;
        using (var buffer = new MemoryStream())
        {
            using (var w = new BinaryWriter(buffer, new UTF8Encoding(false, true), leaveOpen: true)) optimizer.save_state_dict(w);
            optimizerBytes = buffer.ToArray();
        }
        AtomicFile.Write(Path.Combine(tmp, "optimizer.bin"), optimizerBytes);
        var snapshot = new Snapshot(config, history.ToList(), Hash(optimizerBytes));
        snapshot = snapshot with { Sha256 = snapshot.ComputeHash() };
        AtomicFile.WriteText(Path.Combine(tmp, "history.json"), JsonSerializer.Serialize(snapshot, CheckpointFile.JsonOptions));
        if (Directory.Exists(final)) Directory.Delete(final, true);
        Directory.Move(tmp, final);
        FolderFlush.Flush(directory); // the folder rename is the commit: make it durable like a file's
        foreach (string old in Directory.GetDirectories(directory, "epoch-*"))
            if (old != final) Directory.Delete(old, true);
    }

    /// <summary>
    /// Restores the latest snapshot into <paramref name="model"/> and <paramref name="optimizer"/>; returns its history,
    /// or null when there is none.
    /// </summary>
    /// <exception cref="FlipGuardException">The snapshot was made with a different recipe, or is damaged.</exception>
    public IReadOnlyList<EpochRecord>? TryRestore(TrainingConfig config, nn.Module model, OptimizerHelper optimizer)
    {
        if (!Directory.Exists(directory)) return null;
        string? latest = Directory.GetDirectories(directory, "epoch-*").Where(d => !d.EndsWith(".tmp", StringComparison.Ordinal)).Order(StringComparer.Ordinal).LastOrDefault();
        if (latest is null) return null;
        var snap = ReadSnapshot(latest);
        string? changed = ChangedField(snap.Config, config);
        if (changed is not null)
            throw new FlipGuardException($"{directory}: resume state was made with a different training recipe ({changed}); rerun with the original options, or delete the folder to start afresh");
        string optimizerPath = Path.Combine(latest, "optimizer.bin");
        byte[] optimizerBytes = ReadState(latest, optimizerPath);
        if (Hash(optimizerBytes) != snap.OptimizerSha256)
            throw new FlipGuardException($"{optimizerPath}: the optimiser state does not match its SHA-256 (damaged); delete {directory} to start afresh");
        var (_, saved) = CheckpointFile.Load(Path.Combine(latest, "model.fgc"));
        using (saved)
        using (no_grad())
        {
            var target = model.state_dict();
            var source = saved.state_dict();
            foreach (var (name, t) in target)
                if (!source.TryGetValue(name, out var s) || !s.shape.SequenceEqual(t.shape))
                    throw new FlipGuardException($"{latest}: the saved model does not fit this run's model (tensor {name}); delete {directory} to start afresh");
            foreach (var (name, t) in source) target[name].copy_(t);
        }
        using (var r = new BinaryReader(new MemoryStream(optimizerBytes)))
        {
            try { optimizer.load_state_dict(r); }
            catch (Exception e) when (e is EndOfStreamException or IOException or ArgumentException or InvalidOperationException or FormatException)
            { throw new FlipGuardException($"{optimizerPath}: the optimiser state does not fit this run's optimiser ({e.Message.Split('\n')[0]}); delete {directory} to start afresh"); }
        }
        return snap.History;
    }

    /// <summary>Deletes all snapshots (after a run completed and its checkpoint is safely written).</summary>
    public void Clear()
    {
        if (Directory.Exists(directory)) Directory.Delete(directory, true);
    }

    private Snapshot ReadSnapshot(string latest)
    {
        string path = Path.Combine(latest, "history.json");
        Snapshot? snap;
        try { snap = JsonSerializer.Deserialize<Snapshot>(ReadState(latest, path), CheckpointFile.JsonOptions); }
        catch (Exception e) when (e is JsonException or NotSupportedException or ArgumentException or InvalidOperationException or FormatException)
        { throw new FlipGuardException($"{path}: resume state is damaged ({e.Message.Split('\n')[0]}); delete {directory} to start afresh"); }
        if (snap?.Config is null || snap.History is null || snap.OptimizerSha256 is null || snap.Sha256 is null || snap.History.Any(h => h is null))
            throw new FlipGuardException($"{path}: resume state is incomplete; delete {directory} to start afresh");
        if (snap.Sha256 != snap.ComputeHash())
            throw new FlipGuardException($"{path}: resume state does not match its SHA-256 (damaged or edited); delete {directory} to start afresh");
        return snap;
    }

    private byte[] ReadState(string latest, string path)
    {
        if (!File.Exists(path)) throw new FlipGuardException($"{path}: resume state is incomplete (file missing); delete {directory} to start afresh");
        return File.ReadAllBytes(path);
    }

    /// <summary>The first field (by its command-line name) in which two recipes differ, or null when they are equal.</summary>
    private static string? ChangedField(TrainingConfig saved, TrainingConfig now)
    {
        if (saved == now) return null;
        var a = JsonNode.Parse(TrainingConfigJson.Canonical(saved))!.AsObject();
        var b = JsonNode.Parse(TrainingConfigJson.Canonical(now))!.AsObject();
        foreach (string key in a.Select(p => p.Key).Union(b.Select(p => p.Key)))
        {
            string x = a[key]?.ToJsonString() ?? "null", y = b[key]?.ToJsonString() ?? "null";
            if (x != y) return $"{key}: saved {x}, now {y}";
        }
        return "a setting that the recipe's JSON does not show";
    }

    private static string Hash(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private sealed record Snapshot(TrainingConfig Config, List<EpochRecord> History, string OptimizerSha256)
    {
        public string Sha256 { get; init; } = "";

        public string ComputeHash() => Hash(JsonSerializer.SerializeToUtf8Bytes(this with { Sha256 = "" }, CheckpointFile.JsonOptions));
    }
}
