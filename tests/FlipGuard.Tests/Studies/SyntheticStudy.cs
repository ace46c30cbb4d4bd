using FlipGuard.Charts;
using FlipGuard.Studies;
using FlipGuard.Studies.Analyses;
using FlipGuard.Studies.Results;

namespace FlipGuard.Tests.Studies;

/// <summary>A results store filled by hand (no training): 3 recipes × 3 seeds of one architecture, with every kind of value a report shows.</summary>
internal static class SyntheticStudy
{
    public static readonly MetricKind Accuracy = StudyRunner.Accuracy;
    public static readonly MetricKind Rad90 = new(SweepStudyAnalysis.Rad90, "bits RAD 90–100%", MetricFormat.Count, Better.Lower, true, "bad bits");
    public static readonly SeriesKind PerBit = new(SweepStudyAnalysis.PerBit, "Bad bits per bit position", "bit", "flips", true);

    /// <summary>rad90 per recipe and seed: plain ≈ 1000, hat ≈ 700 (−30%), sam ≈ 990.</summary>
    public static readonly Dictionary<string, double[]> Rad90Values = new()
    {
        ["plain"] = [1000, 1010, 990], ["hat"] = [700, 690, 710], ["sam"] = [995, 985, 990],
    };

    public static string Create(string directory)
    {
        string text = """
            name: synthetic
            dataset: mnist-10k
            recipes:
              - name: plain
              - name: hat
                label: HAT trace
                reg: trace
              - name: sam
                label: SAM
                reg: sam
            """;
        var config = StudyConfig.Parse(text, "synthetic.yaml", directory);
        string db = Path.Combine(directory, "results.db");
        using var store = ResultsStore.Open(db, create: true);
        store.BeginStudy(config, "built-in digits", [Accuracy, Rad90], [PerBit], [(ResultsStore.Training, ResultsStore.Training), ("sweep", "k1")]);
        int position = 0;
        foreach (var recipe in config.Recipes)
            for (int seed = 0; seed < 3; seed++)
            {
                var model = new StudyModel(recipe.Name, "mlp", seed, $"{recipe.Name}{seed}".PadRight(16, '0'), Path.Combine(directory, $"{recipe.Name}{seed}.fgc"));
                store.SaveModel(model, "{}", "sha", new AnalysisOutcome([new MetricValue(Accuracy.Name, 0.96 + 0.001 * seed, 0.95, 0.97)], [], [], null, 1));
                double rad = Rad90Values[recipe.Name][seed];
                string chart = PngChart.Bars(Path.Combine(directory, "analyses", model.FolderName, "bits.png"), $"bits {model.DisplayName}", "bit", "flips", [30, 31], [rad, 1]);
                store.SaveResult(model.Key, "sweep", "k1", "{}", new AnalysisOutcome([new MetricValue(Rad90.Name, rad)],
                    [new SeriesValue(PerBit.Name, ["0", "30", "31"], [0, rad, 1])],
                    [new StudyArtifact(Path.GetRelativePath(directory, chart), $"{model.DisplayName}: bits")], null, 2));
                store.AddToPlan(position++, model);
            }
        store.SetComplete(true);
        return db;
    }
}
