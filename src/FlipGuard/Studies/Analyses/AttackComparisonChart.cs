using System.Text.Json;
using FlipGuard.Attacks;
using FlipGuard.Charts;
using FlipGuard.Core;
using FlipGuard.Studies.Results;

namespace FlipGuard.Studies.Analyses;

/// <summary>
/// Test accuracy against attack flips for the recipes side by side (one colour per recipe, one line per attack and
/// training seed), one chart per architecture: shows not only how many flips the target takes but how the accuracy
/// gives way on the way there.
/// </summary>
public sealed class AttackComparisonChart : IStudyComparisonChart
{
    /// <inheritdoc />
    public string Analysis => AttackStudyAnalysis.AnalysisName;

    /// <inheritdoc />
    public bool Shows(string metric) => metric is AttackStudyAnalysis.FlipsSpread or AttackStudyAnalysis.Reached;

    /// <inheritdoc />
    public IReadOnlyList<StudyFigure> Write(StudyResults results, string directory)
    {
        var figures = new List<StudyFigure>();
        foreach (string architecture in results.Architectures)
        {
            var groups = new List<(string Name, IReadOnlyList<AttackResult> Results)>();
            foreach (var recipe in results.Recipes)
            {
                var attacks = results.Models.Where(m => m.Architecture == architecture && m.Recipe == recipe.Name)
                    .Select(m => results.DetailOf(m.Key, Analysis)).OfType<string>()
                    .Select(json => JsonSerializer.Deserialize<AttackResult>(json, RecordJournal.Json)!).ToList();
                if (attacks.Count > 0) groups.Add((recipe.Label, attacks));
            }
            if (groups.Count == 0) continue;
            int perModel = groups[0].Results[0].Trajectories.Count, models = groups.Max(g => g.Results.Count);
            string note = models > 1 ? $"{perModel} attacks × {models} training seeds per recipe" : $"{perModel} attacks per recipe";
            string path = AttackCharts.AccuracyVsFlips(Path.Combine(directory, $"attack-accuracy-vs-flips-{architecture}.png"), groups, note);
            figures.Add(new StudyFigure(path, $"{(results.Architectures.Count > 1 ? architecture + ": t" : "T")}est accuracy against the number of bit flips " +
                "of the progressive bit search, one line per attack, one colour per recipe; the dashed line is the target accuracy."));
        }
        return figures;
    }
}
