using System.Globalization;
using FlipGuard.Checkpoints;
using FlipGuard.Core;
using Microsoft.Data.Sqlite;

namespace FlipGuard.Studies.Results;

/// <summary>
/// A study's results store: one SQLite file holding the plan (recipes, models, analyses), every trained model and
/// every finished (model, analysis, settings) result with its table values, series and files. Each result is written
/// in one transaction, so a killed study leaves either a whole result or none, and a rerun skips what is there.
/// Reports are rendered from this file alone (<c>flipguard report DB</c>).
/// </summary>
public sealed class ResultsStore : IDisposable
{
    /// <summary>Analysis name and settings key under which training's own values (test accuracy) are stored.</summary>
    public const string Training = "training";

    private const int SchemaVersion = 1;
    private readonly SqliteConnection db;

    private ResultsStore(SqliteConnection db, string path) => (this.db, Path) = (db, path);

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>Opens (and with <paramref name="create"/>, creates) the store at <paramref name="path"/>.</summary>
    /// <exception cref="FlipGuardException">The file is missing (without <paramref name="create"/>) or is not a FlipGuard results store.</exception>
    public static ResultsStore Open(string path, bool create)
    {
        string full = System.IO.Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new FlipGuardException($"{path}: is a folder, not a results store");
        bool existing = File.Exists(full) && new FileInfo(full).Length > 0;
        if (!create && !File.Exists(full)) throw new FlipGuardException($"{path}: results store not found");
        if (!create && !existing) throw new FlipGuardException($"{path}: is empty, not a FlipGuard results store");
        if (existing && !HasSqliteHeader(full)) throw new FlipGuardException($"{path}: not a FlipGuard results store (not an SQLite file)");
        var mode = create ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadWrite;
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = full, Mode = mode, Pooling = false }.ToString());
        var store = new ResultsStore(db, full);
        try
        {
            db.Open();
            store.Execute("PRAGMA busy_timeout = 5000");
            // An existing file must already be a store before anything is written to it: a foreign SQLite database
            // (or one a user named by mistake) once got FlipGuard's schema added to it.
            string? version = existing ? store.ForeignCheckedVersion(path) : null;
            if (version is not null && version != SchemaVersion.ToString(CultureInfo.InvariantCulture))
                throw new FlipGuardException($"{path}: results store schema {version}, this FlipGuard reads {SchemaVersion}");
            store.Execute(Schema);
            if (version is null) store.Execute("INSERT INTO study(key, value) VALUES ('schema', $v)", ("$v", SchemaVersion.ToString(CultureInfo.InvariantCulture)));
        }
        catch (SqliteException e)
        {
            db.Dispose();
            throw new FlipGuardException($"{path}: not a FlipGuard results store ({e.Message.Split('\n')[0]})");
        }
        catch { db.Dispose(); throw; }
        return store;
    }

    private string ForeignCheckedVersion(string path)
    {
        bool hasStudy = Scalar("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'study'") is not null;
        string? version = hasStudy ? Scalar("SELECT value FROM study WHERE key = 'schema'") : null;
        return version ?? throw new FlipGuardException($"{path}: an SQLite file but not a FlipGuard results store (no study schema); it was left untouched");
    }

    private static bool HasSqliteHeader(string path)
    {
        Span<byte> head = stackalloc byte[16];
        using var fs = File.OpenRead(path);
        return fs.ReadAtLeast(head, 16, throwOnEndOfStream: false) == 16 && head.SequenceEqual("SQLite format 3\0"u8);
    }

    /// <summary>Records a (re)started study: its description and plan of recipes, columns, series and analyses. Models are added as they are keyed.</summary>
    public void BeginStudy(StudyConfig config, string datasetDescription, IReadOnlyList<MetricKind> metrics, IReadOnlyList<SeriesKind> series, IReadOnlyList<(string Analysis, string Key)> analyses)
    {
        using var t = db.BeginTransaction();
        foreach (var (k, v) in new[]
                 {
                     ("name", config.Name), ("dataset", config.Dataset), ("dataset_description", datasetDescription), ("reference", config.Reference),
                     ("text", config.Text), ("flipguard_version", CheckpointFile.Version), ("complete", "0"), ("updated_utc", Now()),
                 })
            Execute("INSERT OR REPLACE INTO study(key, value) VALUES ($k, $v)", ("$k", k), ("$v", v));
        Execute("DELETE FROM plan_recipes; DELETE FROM plan_models; DELETE FROM plan_analyses; DELETE FROM metric_kinds; DELETE FROM series_kinds");
        for (int i = 0; i < config.Recipes.Count; i++)
        {
            var r = config.Recipes[i];
            Execute("INSERT INTO plan_recipes VALUES ($p, $n, $l, $d)", ("$p", i), ("$n", r.Name), ("$l", r.Label), ("$d", r.Description));
        }
        for (int i = 0; i < metrics.Count; i++)
        {
            var m = metrics[i];
            Execute("INSERT INTO metric_kinds VALUES ($p, $n, $h, $f, $b, $c, $d)", ("$p", i), ("$n", m.Name), ("$h", m.Header), ("$f", m.Format.ToString()),
                ("$b", m.Better.ToString()), ("$c", m.CompareToReference ? 1 : 0), ("$d", m.Description));
        }
        for (int i = 0; i < series.Count; i++)
        {
            var s = series[i];
            Execute("INSERT INTO series_kinds VALUES ($p, $n, $t, $x, $y, $l)", ("$p", i), ("$n", s.Name), ("$t", s.Title), ("$x", s.XLabel), ("$y", s.YLabel), ("$l", s.LogY ? 1 : 0));
        }
        for (int i = 0; i < analyses.Count; i++)
            Execute("INSERT INTO plan_analyses VALUES ($p, $a, $k)", ("$p", i), ("$a", analyses[i].Analysis), ("$k", analyses[i].Key));
        t.Commit();
    }

    /// <summary>Adds a model to the plan (in report order).</summary>
    public void AddToPlan(int position, StudyModel model) =>
        Execute("INSERT OR REPLACE INTO plan_models VALUES ($p, $r, $a, $s, $k, $c)", ("$p", position), ("$r", model.Recipe), ("$a", model.Architecture),
            ("$s", model.Seed), ("$k", model.Key), ("$c", model.Checkpoint));

    /// <summary>The weights hash recorded for a finished model, or null when the store has not seen it finish.</summary>
    public string? WeightsOf(string modelKey) => Scalar("SELECT weights_sha256 FROM models WHERE model_key = $k", ("$k", modelKey));

    /// <summary>Records a finished (trained or imported) model and its training values in one transaction.</summary>
    public void SaveModel(StudyModel model, string recipeJson, string weightsSha256, AnalysisOutcome training)
    {
        using var t = db.BeginTransaction();
        Execute("INSERT OR REPLACE INTO models VALUES ($k, $a, $s, $r, $c, $w, $t, $f)", ("$k", model.Key), ("$a", model.Architecture), ("$s", model.Seed),
            ("$r", recipeJson), ("$c", model.Checkpoint), ("$w", weightsSha256), ("$t", training.Seconds), ("$f", Now()));
        WriteResult(model.Key, Training, Training, "{}", training);
        t.Commit();
    }

    /// <summary>Whether a model already has the result of an analysis with these settings.</summary>
    public bool HasResult(string modelKey, string analysis, string settingsKey) =>
        Scalar("SELECT 1 FROM results WHERE model_key = $m AND analysis = $a AND settings_key = $k", ("$m", modelKey), ("$a", analysis), ("$k", settingsKey)) is not null;

    /// <summary>Records one finished analysis of one model in one transaction.</summary>
    public void SaveResult(string modelKey, string analysis, string settingsKey, string settingsJson, AnalysisOutcome outcome)
    {
        using var t = db.BeginTransaction();
        WriteResult(modelKey, analysis, settingsKey, settingsJson, outcome);
        t.Commit();
    }

    /// <summary>Marks the study finished (or not).</summary>
    public void SetComplete(bool complete)
    {
        Execute("INSERT OR REPLACE INTO study(key, value) VALUES ('complete', $v)", ("$v", complete ? "1" : "0"));
        Execute("INSERT OR REPLACE INTO study(key, value) VALUES ('updated_utc', $v)", ("$v", Now()));
    }

    /// <summary>Reads the current plan and its results for a report.</summary>
    /// <exception cref="FlipGuardException">The store holds no study.</exception>
    public StudyResults Read()
    {
        var info = Rows("SELECT key, value FROM study", r => (r.GetString(0), r.GetString(1))).ToDictionary(p => p.Item1, p => p.Item2);
        if (!info.TryGetValue("name", out string? name)) throw new FlipGuardException($"{Path}: the results store holds no study yet");
        string Get(string k) => info.TryGetValue(k, out string? v) ? v : "";
        var studyInfo = new StudyInfo(name, Get("dataset"), Get("dataset_description"), Get("reference"), Get("text"), Get("flipguard_version"), Get("complete") == "1", Get("updated_utc"));
        var recipes = Rows("SELECT name, label, description FROM plan_recipes ORDER BY position", r => new RecipeInfo(r.GetString(0), r.GetString(1), r.GetString(2)));
        var models = Rows("SELECT recipe, architecture, seed, model_key, checkpoint FROM plan_models ORDER BY position",
            r => new StudyModel(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetString(3), r.GetString(4)));
        var metrics = Rows("SELECT name, header, format, better, compare, description FROM metric_kinds ORDER BY position",
            r => new MetricKind(r.GetString(0), r.GetString(1), Enum.Parse<MetricFormat>(r.GetString(2)), Enum.Parse<Better>(r.GetString(3)), r.GetInt64(4) != 0, r.GetString(5)));
        var series = Rows("SELECT name, title, x_label, y_label, log_y FROM series_kinds ORDER BY position",
            r => new SeriesKind(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64(4) != 0));
        const string current = "JOIN plan_analyses p ON p.analysis = x.analysis AND p.settings_key = x.settings_key JOIN plan_models m ON m.model_key = x.model_key";
        var values = Rows($"SELECT DISTINCT x.model_key, x.name, x.value, x.low, x.high, p.position FROM metrics x {current} ORDER BY p.position",
                r => (Key: r.GetString(0), Value: new MetricValue(r.GetString(1), Double(r, 2), Nullable(r, 3), Nullable(r, 4))))
            .GroupBy(x => x.Key).ToDictionary(g => g.Key, g => (IReadOnlyList<MetricValue>)g.Select(x => x.Value).ToList());
        var seriesValues = Rows($"SELECT DISTINCT x.model_key, x.name, x.position, x.label, x.value FROM series x {current} ORDER BY x.model_key, x.name, x.position",
                r => (Key: r.GetString(0), Name: r.GetString(1), Label: r.GetString(3), Value: Double(r, 4)))
            .GroupBy(x => x.Key).ToDictionary(g => g.Key, g => (IReadOnlyList<SeriesValue>)g.GroupBy(x => x.Name)
                .Select(s => new SeriesValue(s.Key, s.Select(x => x.Label).ToList(), s.Select(x => x.Value).ToList())).ToList());
        var artifacts = Rows($"SELECT DISTINCT x.model_key, x.path, x.caption, p.position, x.position FROM artifacts x {current} ORDER BY p.position, x.position",
                r => (Key: r.GetString(0), Artifact: new StudyArtifact(r.GetString(1), r.GetString(2))))
            .GroupBy(x => x.Key).ToDictionary(g => g.Key, g => (IReadOnlyList<StudyArtifact>)g.Select(x => x.Artifact).ToList());
        var details = Rows($"SELECT DISTINCT x.model_key, x.analysis, x.detail_json FROM results x {current} WHERE x.detail_json IS NOT NULL",
                r => (Key: (r.GetString(0), r.GetString(1)), Json: r.GetString(2)))
            .ToDictionary(x => x.Key, x => x.Json);
        return new StudyResults(studyInfo, recipes, models, metrics, series, values, seriesValues, artifacts, System.IO.Path.GetDirectoryName(Path)!, details);
    }

    /// <inheritdoc />
    public void Dispose() => db.Dispose();

    private void WriteResult(string modelKey, string analysis, string settingsKey, string settingsJson, AnalysisOutcome o)
    {
        foreach (string table in new[] { "metrics", "series", "artifacts" })
            Execute($"DELETE FROM {table} WHERE model_key = $m AND analysis = $a AND settings_key = $k", ("$m", modelKey), ("$a", analysis), ("$k", settingsKey));
        Execute("INSERT OR REPLACE INTO results VALUES ($m, $a, $k, $s, $t, $d, $f)", ("$m", modelKey), ("$a", analysis), ("$k", settingsKey),
            ("$s", settingsJson), ("$t", o.Seconds), ("$d", o.DetailJson), ("$f", Now()));
        foreach (var v in o.Metrics)
            Execute("INSERT INTO metrics VALUES ($m, $a, $k, $n, $v, $l, $h)", ("$m", modelKey), ("$a", analysis), ("$k", settingsKey), ("$n", v.Name),
                ("$v", v.Value), ("$l", v.Low), ("$h", v.High));
        foreach (var s in o.Series)
            for (int i = 0; i < s.Values.Count; i++)
                Execute("INSERT INTO series VALUES ($m, $a, $k, $n, $p, $l, $v)", ("$m", modelKey), ("$a", analysis), ("$k", settingsKey), ("$n", s.Name),
                    ("$p", i), ("$l", s.Labels[i]), ("$v", s.Values[i]));
        for (int i = 0; i < o.Artifacts.Count; i++)
            Execute("INSERT INTO artifacts VALUES ($m, $a, $k, $p, $path, $c)", ("$m", modelKey), ("$a", analysis), ("$k", settingsKey), ("$p", i),
                ("$path", o.Artifacts[i].RelativePath), ("$c", o.Artifacts[i].Caption));
    }

    private static double Double(SqliteDataReader r, int i) => r.IsDBNull(i) ? double.NaN : r.GetDouble(i);

    private static double? Nullable(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetDouble(i);

    private static string Now() => DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private SqliteCommand Command(string sql, (string Name, object? Value)[] parameters)
    {
        var c = db.CreateCommand();
        c.CommandText = sql;
        foreach (var (n, v) in parameters)
            c.Parameters.AddWithValue(n, v is double d && !double.IsFinite(d) ? DBNull.Value : v ?? DBNull.Value);
        return c;
    }

    private void Execute(string sql, params (string, object?)[] parameters)
    {
        using var c = Command(sql, parameters);
        c.ExecuteNonQuery();
    }

    private string? Scalar(string sql, params (string, object?)[] parameters)
    {
        using var c = Command(sql, parameters);
        return c.ExecuteScalar() is { } v and not DBNull ? Convert.ToString(v, CultureInfo.InvariantCulture) : null;
    }

    private List<T> Rows<T>(string sql, Func<SqliteDataReader, T> read)
    {
        using var c = Command(sql, []);
        using var r = c.ExecuteReader();
        var list = new List<T>();
        while (r.Read()) list.Add(read(r));
        return list;
    }

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS study(key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS models(model_key TEXT PRIMARY KEY, architecture TEXT NOT NULL, seed INTEGER NOT NULL, recipe_json TEXT NOT NULL,
            checkpoint TEXT NOT NULL, weights_sha256 TEXT NOT NULL, train_seconds REAL, finished_utc TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS results(model_key TEXT NOT NULL, analysis TEXT NOT NULL, settings_key TEXT NOT NULL, settings_json TEXT NOT NULL,
            seconds REAL, detail_json TEXT, finished_utc TEXT NOT NULL, PRIMARY KEY(model_key, analysis, settings_key));
        CREATE TABLE IF NOT EXISTS metrics(model_key TEXT NOT NULL, analysis TEXT NOT NULL, settings_key TEXT NOT NULL, name TEXT NOT NULL,
            value REAL, low REAL, high REAL, PRIMARY KEY(model_key, analysis, settings_key, name));
        CREATE TABLE IF NOT EXISTS series(model_key TEXT NOT NULL, analysis TEXT NOT NULL, settings_key TEXT NOT NULL, name TEXT NOT NULL,
            position INTEGER NOT NULL, label TEXT NOT NULL, value REAL, PRIMARY KEY(model_key, analysis, settings_key, name, position));
        CREATE TABLE IF NOT EXISTS artifacts(model_key TEXT NOT NULL, analysis TEXT NOT NULL, settings_key TEXT NOT NULL, position INTEGER NOT NULL,
            path TEXT NOT NULL, caption TEXT NOT NULL, PRIMARY KEY(model_key, analysis, settings_key, position));
        CREATE TABLE IF NOT EXISTS metric_kinds(position INTEGER PRIMARY KEY, name TEXT NOT NULL, header TEXT NOT NULL, format TEXT NOT NULL,
            better TEXT NOT NULL, compare INTEGER NOT NULL, description TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS series_kinds(position INTEGER PRIMARY KEY, name TEXT NOT NULL, title TEXT NOT NULL, x_label TEXT NOT NULL,
            y_label TEXT NOT NULL, log_y INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS plan_recipes(position INTEGER PRIMARY KEY, name TEXT NOT NULL, label TEXT NOT NULL, description TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS plan_models(position INTEGER PRIMARY KEY, recipe TEXT NOT NULL, architecture TEXT NOT NULL, seed INTEGER NOT NULL,
            model_key TEXT NOT NULL, checkpoint TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS plan_analyses(position INTEGER PRIMARY KEY, analysis TEXT NOT NULL, settings_key TEXT NOT NULL);
        """;
}
