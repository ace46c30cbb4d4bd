using System.Diagnostics.CodeAnalysis;

namespace FlipGuard.Core;

/// <summary>
/// One named setting of an extension point — a regulariser's λ, a defense's group size — declared once, beside the
/// regulariser or defense that reads it, with its default and its help text. The command line offers it as
/// <c>--KEY</c>, a study file as <c>KEY:</c>, a stored recipe under <see cref="PropertyName"/>: declaring it once is
/// what keeps the three spelling, defaulting and documenting it alike. The only subclass is <see cref="Setting{T}"/>.
/// </summary>
public abstract class Setting
{
    private protected Setting(string key, string description, IReadOnlyList<string>? choices)
    {
        if (key.Length == 0 || key.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')))
            throw new ArgumentException($"a setting key is lower-case kebab-case, got '{key}'", nameof(key));
        (Key, Description, Choices) = (key, description, choices);
        PropertyName = string.Concat(key.Split('-').Select(w => char.ToUpperInvariant(w[0]) + w[1..]));
    }

    /// <summary>The name users write: <c>hessian-layers</c> is <c>--hessian-layers</c> and <c>hessian-layers:</c>.</summary>
    public string Key { get; }

    /// <summary>One sentence of help: what the setting changes (the CLI's option description).</summary>
    public string Description { get; }

    /// <summary>The values a text setting accepts (the CLI refuses others while parsing), or null for any.</summary>
    public IReadOnlyList<string>? Choices { get; }

    /// <summary>
    /// <see cref="Key"/> in PascalCase (<c>HessianLayers</c>), as a C# property would be named, so a JSON naming
    /// policy turns it into the same property name a record field of that name had (<c>hessianLayers</c>).
    /// </summary>
    public string PropertyName { get; }

    /// <summary>Calls <paramref name="visitor"/> with this setting at its value type, for code that needs the type.</summary>
    public abstract TResult Accept<TResult>(ISettingVisitor<TResult> visitor);

    /// <inheritdoc />
    public override string ToString() => Key;
}

/// <summary>A setting whose values are <typeparamref name="T"/> (int, long, double, bool, string; nullable when "not given" means something).</summary>
/// <typeparam name="T">The value type.</typeparam>
public sealed class Setting<T> : Setting
{
    /// <summary>Declares the setting.</summary>
    /// <param name="key">Kebab-case name (<see cref="Setting.Key"/>).</param>
    /// <param name="defaultValue">The value when none is given.</param>
    /// <param name="description">One sentence of help.</param>
    /// <param name="choices">For a text setting: the only accepted values.</param>
    public Setting(string key, T defaultValue, string description, IReadOnlyList<string>? choices = null) : base(key, description, choices)
    {
        Default = defaultValue;
    }

    /// <summary>The value when none is given.</summary>
    public T Default { get; }

    /// <summary>The values a numeric setting accepts (null: any, or not numeric); the command line refuses others while parsing.</summary>
    public NumericRange? Range { get; init; }

    /// <inheritdoc />
    public override TResult Accept<TResult>(ISettingVisitor<TResult> visitor) => visitor.Visit(this);
}

/// <summary>Code that handles a <see cref="Setting"/> at its value type (building a typed CLI option, reading typed JSON).</summary>
/// <typeparam name="TResult">What handling one setting gives.</typeparam>
public interface ISettingVisitor<out TResult>
{
    /// <summary>Handles <paramref name="setting"/>.</summary>
    TResult Visit<T>(Setting<T> setting);
}

/// <summary>Where values of settings come from: the parsed command line, a study file's section, stored values.</summary>
public interface ISettingSource
{
    /// <summary>The value given for <paramref name="setting"/>, if this source gives one.</summary>
    /// <exception cref="FlipGuardException">The source holds a value that is not a <typeparamref name="T"/>.</exception>
    bool TryGet<T>(Setting<T> setting, [MaybeNullWhen(false)] out T value);
}
