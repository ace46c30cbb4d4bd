using System.Text;
using System.Text.Json;
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
        Directory.CreateDirectory(directory);
        string final = Path.Combine(directory, $"epoch-{epoch:D4}");
        string tmp = final + ".tmp";
        if (Directory.Exists(tmp)) Directory.Delete(tmp, true);
        Directory.CreateDirectory(tmp);
        CheckpointFile.Save(Path.Combine(tmp, "model.fgc"), model, new CheckpointMetadata { Model = spec, Training = config });
        AtomicFile.Write(Path.Combine(tmp, "optimizer.bin"), fs =>
        {
            using var w = new BinaryWriter(fs, new UTF8Encoding(false, true), leaveOpen: true);
            optimizer.save_state_dict(w);
        });
        AtomicFile.WriteText(Path.Combine(tmp, "history.json"), JsonSerializer.Serialize(new Snapshot(config, history.ToList()), CheckpointFile.JsonOptions));
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
        Snapshot snap;
        try { snap = JsonSerializer.Deserialize<Snapshot>(File.ReadAllText(Path.Combine(latest, "history.json")), CheckpointFile.JsonOptions)!; }
        catch (Exception e) when (e is JsonException or IOException) { throw new FlipGuardException($"{latest}: resume state is damaged ({e.Message.Split('\n')[0]}); delete it to start afresh"); }
        if (snap.Config != config with { Epochs = snap.Config.Epochs })
            throw new FlipGuardException($"{directory}: resume state was made with a different training recipe; delete it or use the original options");
        var (_, saved) = CheckpointFile.Load(Path.Combine(latest, "model.fgc"));
        using (no_grad())
        {
            var target = model.state_dict();
            foreach (var (name, t) in saved.state_dict()) target[name].copy_(t);
        }
        saved.Dispose();
        using (var fs = File.OpenRead(Path.Combine(latest, "optimizer.bin")))
        using (var r = new BinaryReader(fs))
            optimizer.load_state_dict(r);
        return snap.History;
    }

    /// <summary>Deletes all snapshots (after a run completed and its checkpoint is safely written).</summary>
    public void Clear()
    {
        if (Directory.Exists(directory)) Directory.Delete(directory, true);
    }

    private sealed record Snapshot(TrainingConfig Config, List<EpochRecord> History);
}
