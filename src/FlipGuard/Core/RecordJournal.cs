using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace FlipGuard.Core;

/// <summary>
/// A resumable record of finished work for campaigns made of independent units (an attack's seeds, an
/// injection's rates): <c>definition.json</c> says what the campaign is; each unit is one JSON file that is
/// rewritten whole (temporary name, flush, rename) whenever the unit advances, and carries the definition's hash
/// and a SHA-256 of its own body. A unit file that is damaged, torn or from another definition is ignored, so
/// its work is redone rather than trusted — nothing is lost or counted twice.
/// </summary>
public sealed class RecordJournal : IDisposable
{
    /// <summary>JSON settings of every journal file (named float literals allowed: a flipped float can be NaN or ±Inf).</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = false,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private readonly string directory;

    private readonly FolderLock hold;

    private RecordJournal(string directory, string identity, FolderLock hold) => (this.directory, Identity, this.hold) = (directory, identity, hold);

    /// <summary>SHA-256 (hex) of the definition's JSON; every unit file carries it.</summary>
    public string Identity { get; }

    /// <summary>
    /// Opens the journal in <paramref name="directory"/> for <paramref name="definition"/>: creates it, or with
    /// <paramref name="resume"/> continues one with the same definition.
    /// </summary>
    /// <exception cref="FlipGuardException">A journal exists and <paramref name="resume"/> is off, or it has another definition.</exception>
    public static RecordJournal Open<TDefinition>(string directory, TDefinition definition, bool resume)
    {
        var hold = FolderLock.Acquire(directory, "journal");
        try { return Open(directory, definition, resume, hold); }
        catch { hold.Dispose(); throw; }
    }

    /// <summary>Releases the folder for other runs.</summary>
    public void Dispose() => hold.Dispose();

    private static RecordJournal Open<TDefinition>(string directory, TDefinition definition, bool resume, FolderLock hold)
    {
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(definition, Json);
        string identity = Convert.ToHexStringLower(SHA256.HashData(json));
        string path = Path.Combine(directory, "definition.json");
        if (File.Exists(path))
        {
            if (!resume) throw new FlipGuardException($"{directory} already holds a journal; pass --resume to continue it, or choose another --output");
            if (!File.ReadAllBytes(path).AsSpan().SequenceEqual(json))
                throw new FlipGuardException($"{directory}: journal belongs to a different run (other checkpoint, data or options); use another --output or delete it");
        }
        else
        {
            OutputFolder.Create(directory);
            foreach (string stale in Directory.EnumerateFiles(directory, "unit-*")) File.Delete(stale);
            AtomicFile.Write(path, json);
        }
        foreach (string tmp in Directory.EnumerateFiles(directory, "*.tmp")) File.Delete(tmp);
        return new RecordJournal(directory, identity, hold);
    }

    /// <summary>The unit <paramref name="name"/> as last written, or default when absent or not trustworthy.</summary>
    public T? TryRead<T>(string name)
    {
        string path = UnitPath(name);
        if (!File.Exists(path)) return default;
        try
        {
            var envelope = JsonSerializer.Deserialize<Envelope>(File.ReadAllBytes(path), Json);
            if (envelope is null || envelope.Identity != Identity || envelope.Sha256 != Hash(envelope.Body)) return default;
            return JsonSerializer.Deserialize<T>(envelope.Body, Json);
        }
        catch (JsonException) { return default; }
    }

    /// <summary>Records <paramref name="value"/> as unit <paramref name="name"/>, durably and atomically.</summary>
    public void Write<T>(string name, T value)
    {
        string body = JsonSerializer.Serialize(value, Json);
        AtomicFile.Write(UnitPath(name), JsonSerializer.SerializeToUtf8Bytes(new Envelope(Identity, body, Hash(body)), Json));
    }

    /// <summary>The file of unit <paramref name="name"/>.</summary>
    public string UnitPath(string name) => Path.Combine(directory, $"unit-{name}.json");

    private static string Hash(string body) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body)));


    private sealed record Envelope(string Identity, string Body, string Sha256);
}
