namespace FlipGuard.Studies;

/// <summary>
/// One model of a study: the recipe it was made with, its architecture and seed, its content key (see
/// <see cref="RecipeKey"/>) and its checkpoint file.
/// </summary>
/// <param name="Recipe">Recipe name from the study file.</param>
/// <param name="Architecture">Zoo architecture.</param>
/// <param name="Seed">Training seed.</param>
/// <param name="Key">Content key: same key, same weights.</param>
/// <param name="Checkpoint">Path of the checkpoint.</param>
public sealed record StudyModel(string Recipe, string Architecture, long Seed, string Key, string Checkpoint)
{
    /// <summary>A short readable name for logs, folders and captions (<c>mlp/hat/s0</c>).</summary>
    public string DisplayName => $"{Architecture}/{Recipe}/s{Seed}";

    /// <summary>Folder name for this model's analysis files: readable and unique (<c>mlp-hat-s0-1a2b3c4d</c>).</summary>
    public string FolderName => $"{Architecture}-{Recipe}-s{Seed}-{Key[..Math.Min(8, Key.Length)]}";
}
