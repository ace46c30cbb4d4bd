using System.Text.Json;
using FlipGuard.Charts;
using FlipGuard.Core;
using FlipGuard.Injection;
using FlipGuard.Studies.Results;

namespace FlipGuard.Studies.Analyses;

/// <summary>
/// Test accuracy against the bit-error rate for the recipes side by side: the median over the trials (pooled over
/// training seeds) inside its 5th–95th percentile band, one chart per architecture. Replaces a bar chart per rate.
/// </summary>
public sealed class InjectionComparisonChart : IStudyComparisonChart
{
    /// <inheritdoc />
    public string Analysis => InjectionStudyAnalysis.AnalysisName;

    /// <inheritdoc />
    public bool Shows(string metric) => metric.StartsWith(InjectionStudyAnalysis.AccuracyPrefix, StringComparison.Ordinal);

    /// <inheritdoc />
    public IReadOnlyList<StudyFigure> Write(StudyResults results, string directory)
    {
        var figures = new List<StudyFigure>();
        foreach (string architecture in results.Architectures)
        {
            var pooled = new List<(string Name, InjectionResult Result)>();
            int models = 0;
            foreach (var recipe in results.Recipes)
            {
                var details = results.Models.Where(m => m.Architecture == architecture && m.Recipe == recipe.Name)
                    .Select(m => results.DetailOf(m.Key, Analysis)).OfType<string>()
                    .Select(json => JsonSerializer.Deserialize<InjectionStudyDetail>(json, RecordJournal.Json)!).ToList();
                if (details.Count == 0) continue;
                models = Math.Max(models, details.Count);
                pooled.Add((recipe.Label, Pool(details)));
            }
            if (pooled.Count == 0) continue;
            string path = InjectionCharts.AccuracyVsLevel(Path.Combine(directory, $"injection-accuracy-vs-ber-{architecture}.png"), pooled);
            figures.Add(new StudyFigure(path, $"{(results.Architectures.Count > 1 ? architecture + ": t" : "T")}est accuracy against the bit-error rate: median over " +
                $"{pooled[0].Result.Definition.Trials} random trials per rate{(models > 1 ? $" and {models} training seeds" : "")}, with the 5th–95th percentile band, one colour per recipe."));
        }
        return figures;
    }

    /// <summary>One recipe's result with the trials of all its models (training seeds) pooled per rate.</summary>
    private static InjectionResult Pool(IReadOnlyList<InjectionStudyDetail> details)
    {
        var first = details[0].Result;
        var levels = first.Levels.Select((level, l) => InjectionLevel.From(level.Level,
            details.SelectMany(d => l < d.Trials.Count ? d.Trials[l] : []).ToList(), first.Definition.Samples, first.Definition.CleanCorrect)).ToList();
        return first with { Levels = levels };
    }
}
