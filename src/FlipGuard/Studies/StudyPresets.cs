using System.Reflection;
using FlipGuard.Core;

namespace FlipGuard.Studies;

/// <summary>
/// The built-in study files (<c>flipguard study --preset NAME</c>), shipped inside the library so a fresh clone
/// runs them without any file of its own; <c>--print</c> shows them as a starting point for your own study.
/// </summary>
public static class StudyPresets
{
    /// <summary>Preset names, quickest first.</summary>
    public static IReadOnlyList<string> Names { get; } = ["mnist-quick", "mnist", "fashion-mnist", "cifar10"];

    /// <summary>The preset's study file text.</summary>
    /// <exception cref="FlipGuardException">Unknown preset.</exception>
    public static string Text(string name)
    {
        if (!Names.Contains(name)) throw new FlipGuardException($"unknown preset '{name}' (known: {string.Join(", ", Names)})");
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"FlipGuard.Studies.Presets.{name}.yaml")
                           ?? throw new InvalidOperationException($"preset {name} is missing from the assembly");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>The preset as a checked study.</summary>
    public static StudyConfig Load(string name) => StudyConfig.Parse(Text(name), $"preset {name}", Directory.GetCurrentDirectory());
}
