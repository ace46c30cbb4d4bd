namespace FlipGuard.Tests.Studies;

/// <summary>The pieces of study YAML the tiny study tests share.</summary>
internal static class StudyYaml
{
    /// <summary>
    /// The header of a tiny study: one seed of mlp on the built-in digits, two epochs on 1,000 of them, and the recipe list
    /// opened with plain; the test appends its other recipes and its analyses.
    /// </summary>
    public static string Header(string name) => $"""
        name: {name}
        dataset: mnist-10k
        architectures: [mlp]
        seeds: [0]
        training:
          epochs: 2
          train-limit: 1000
        recipes:
          - name: plain

        """;

    /// <summary>The HAT recipe as the tiny studies list it (tests that need a cheaper study remove exactly these lines).</summary>
    public const string HatRecipe = """
          - name: hat
            label: HAT trace
            reg: trace

        """;
}
