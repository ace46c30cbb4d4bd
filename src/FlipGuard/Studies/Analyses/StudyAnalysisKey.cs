using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FlipGuard.Checkpoints;

namespace FlipGuard.Studies.Analyses;

/// <summary>
/// Identifies an analysis's settings: SHA-256 of its name and settings as JSON. A model's result is reused only
/// under the same key, so editing one analysis in a study file reruns that analysis and nothing else.
/// </summary>
public static class StudyAnalysisKey
{
    /// <summary>The key (first 16 hex digits are plenty to tell settings apart; the full hash is kept).</summary>
    public static string Of(IStudyAnalysis analysis) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(analysis.Name + "\n" + SettingsJson(analysis))));

    /// <summary>The settings as the JSON the key is computed from.</summary>
    public static string SettingsJson(IStudyAnalysis analysis) => JsonSerializer.Serialize(analysis.Settings, analysis.Settings.GetType(), CheckpointFile.JsonOptions);
}
