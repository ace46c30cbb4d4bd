using System.Globalization;
using System.Text.RegularExpressions;
using FlipGuard.Core;
using FlipGuard.Models.Zoo;
using FlipGuard.Studies.Analyses;
using FlipGuard.Training;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace FlipGuard.Studies;

/// <summary>
/// A study: which dataset, which architectures, which recipes to compare, how many seeds, and which analyses to run
/// on every resulting model. Read from a YAML study file (docs/studies.md) or a built-in preset; the file's text is
/// kept in the results store so a report says exactly what produced it.
/// </summary>
public sealed partial record StudyConfig
{
    /// <summary>Study name (report title, default output folder <c>runs/study-NAME</c>).</summary>
    public required string Name { get; init; }
    /// <summary>Dataset name (see <c>flipguard data list</c>).</summary>
    public required string Dataset { get; init; }
    /// <summary>Zoo architectures.</summary>
    public required IReadOnlyList<string> Architectures { get; init; }
    /// <summary>Training seeds; each recipe is trained once per seed and architecture.</summary>
    public required IReadOnlyList<long> Seeds { get; init; }
    /// <summary>The recipes, in report order.</summary>
    public required IReadOnlyList<StudyRecipe> Recipes { get; init; }
    /// <summary>The recipe the others are compared with (default: the first).</summary>
    public required string Reference { get; init; }
    /// <summary>The analyses run on every model, in order.</summary>
    public required IReadOnlyList<IStudyAnalysis> Analyses { get; init; }
    /// <summary>Output folder from the file (relative to the working directory), or null for <c>runs/study-NAME</c>.</summary>
    public string? Output { get; init; }
    /// <summary>Checkpoint folder from the file (share one between studies to reuse models), or null for <c>OUTPUT/checkpoints</c>.</summary>
    public string? Checkpoints { get; init; }
    /// <summary>The study file's text.</summary>
    public string Text { get; init; } = "";

    private static readonly string[] TopKeys = ["name", "dataset", "architectures", "seeds", "training", "recipes", "reference", "analyses", "output", "checkpoints"];
    private static readonly string[] RecipeKeys = ["name", "label", "init", "checkpoint", .. TrainingSettings.Keys];

    /// <summary>Reads and checks a study file.</summary>
    /// <exception cref="FlipGuardException">The file is missing or invalid (one line naming file, line and key).</exception>
    public static StudyConfig Load(string path)
    {
        if (!File.Exists(path)) throw new FlipGuardException($"{path}: study file not found");
        return Parse(File.ReadAllText(path), Path.GetFileName(path), Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>Parses study-file text; <paramref name="source"/> names it in errors, <paramref name="baseDirectory"/> resolves checkpoint paths.</summary>
    /// <exception cref="FlipGuardException">The text is invalid.</exception>
    public static StudyConfig Parse(string text, string source, string baseDirectory)
    {
        var stream = new YamlStream();
        try { stream.Load(new StringReader(text)); }
        catch (YamlException e) { throw new FlipGuardException($"{source}:{e.Start.Line}: not valid YAML ({OneLine(e.InnerException?.Message ?? e.Message)})"); }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new FlipGuardException($"{source}: a study file is a YAML mapping (name:, dataset:, recipes:, analyses:, …)");
        var s = new StudySection(root, source, "");
        string name = s.OptionalString("name") ?? throw s.Error("missing 'name'");
        if (!NamePattern().IsMatch(name)) throw s.Error("name", $"name must be letters, digits, '-', '_' or '.', got '{name}'");
        string dataset = s.String("dataset", "mnist");
        var architectures = s.Strings("architectures") ?? ["mlp"];
        foreach (string a in architectures)
            if (ModelZoo.Architectures.All(z => z.Name != a))
                throw s.Error("architectures", $"unknown architecture '{a}' (known: {string.Join(", ", ModelZoo.Architectures.Select(z => z.Name))})");
        var seeds = ParseSeeds(s);
        var baseConfig = new TrainingConfig { Dataset = dataset };
        if (s.Section("training") is { } training)
        {
            baseConfig = TrainingSettings.Apply(training, baseConfig);
            training.RejectUnknown(TrainingSettings.Keys);
        }
        var recipes = new List<StudyRecipe>();
        foreach (var r in s.Sections("recipes") ?? throw s.Error("missing 'recipes' (a list of training recipes to compare)"))
            recipes.Add(ParseRecipe(r, baseConfig, recipes, architectures[0], baseDirectory));
        if (recipes.Count == 0) throw s.Error("recipes", "recipes is empty");
        string reference = s.String("reference", recipes[0].Name);
        if (recipes.All(r => r.Name != reference)) throw s.Error("reference", $"reference '{reference}' is not one of the recipes");
        var analyses = new List<IStudyAnalysis>();
        if (s.Section("analyses") is { } section)
            foreach (string key in section.Keys)
            {
                if (!StudyAnalysisCatalog.Names.Contains(key))
                    throw section.Error(key, $"unknown analysis '{key}' (this build knows: {string.Join(", ", StudyAnalysisCatalog.Names)})");
                analyses.Add(StudyAnalysisCatalog.Create(key, section.Section(key)!));
            }
        string? output = s.OptionalString("output"), checkpoints = s.OptionalString("checkpoints");
        s.RejectUnknown(TopKeys);
        return new StudyConfig
        {
            Name = name, Dataset = dataset, Architectures = architectures, Seeds = seeds, Recipes = recipes, Reference = reference,
            Analyses = analyses, Output = output, Checkpoints = checkpoints, Text = text,
        };
    }

    private static StudyRecipe ParseRecipe(StudySection r, TrainingConfig baseConfig, List<StudyRecipe> earlier, string architecture, string baseDirectory)
    {
        string name = r.OptionalString("name") ?? throw r.Error("a recipe needs a 'name'");
        if (!NamePattern().IsMatch(name)) throw r.Error("name", $"recipe name must be letters, digits, '-', '_' or '.', got '{name}'");
        if (earlier.Any(e => e.Name == name)) throw r.Error("name", $"recipe '{name}' is defined twice");
        string label = r.String("label", name);
        string? checkpoint = r.OptionalString("checkpoint");
        string? init = r.OptionalString("init");
        var config = TrainingSettings.Apply(r, baseConfig);
        r.RejectUnknown(RecipeKeys);
        if (checkpoint is not null)
        {
            if (init is not null || r.Keys.Any(TrainingSettings.Keys.Contains)) throw r.Error("checkpoint", $"recipe '{name}': a checkpoint recipe takes no training keys");
            return new StudyRecipe(name, label, config, null, Path.GetFullPath(checkpoint, baseDirectory));
        }
        if (init is not null && earlier.All(e => e.Name != init || e.Checkpoint is not null))
            throw r.Error("init", $"recipe '{name}': init '{init}' must name a training recipe listed before it");
        try { (config with { Model = architecture }).Validate(); }
        catch (FlipGuardException e) { throw r.Error($"recipe '{name}': {e.Message.Replace("--", "", StringComparison.Ordinal)}"); }
        return new StudyRecipe(name, label, config, init);
    }

    private static IReadOnlyList<long> ParseSeeds(StudySection s)
    {
        if (!s.Has("seeds")) return [0];
        if (s.IsScalar("seeds"))
        {
            int n = s.Int("seeds", 1);
            if (n < 1) throw s.Error("seeds", $"seeds must be a count ≥ 1 or a list, got {n}");
            return Enumerable.Range(0, n).Select(i => (long)i).ToArray();
        }
        var seeds = new List<long>();
        foreach (string v in s.Strings("seeds")!)
            seeds.Add(long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out long seed) ? seed : throw s.Error("seeds", $"seed '{v}' is not an integer"));
        if (seeds.Count == 0 || seeds.Distinct().Count() != seeds.Count) throw s.Error("seeds", "seeds must be a non-empty list of distinct integers");
        return seeds;
    }

    private static string OneLine(string message) => string.Join(" ", message.Split(['\n', '\r'], StringSplitOptions.RemoveEmptyEntries));

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex NamePattern();
}
