using System.CommandLine;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using FlipGuard.Core;

namespace FlipGuard.Cli;

/// <summary>
/// Attaches a <see cref="NumericRange"/> to a numeric option: a value outside it, NaN or an infinity is a parse
/// error (one line, exit code 2, before any work), and the range stays readable so a test can walk every option of
/// every command and try its extremes. Some extreme values used to overflow into "internal error" instead.
/// </summary>
public static class OptionRanges
{
    private static readonly ConditionalWeakTable<Option, NumericRange> Ranges = [];

    /// <summary>Restricts <paramref name="option"/> to <paramref name="range"/>; returns it.</summary>
    public static Option<T> Within<T>(this Option<T> option, NumericRange range) where T : INumber<T>
    {
        Register(option, range, r => r.GetValueOrDefault<T>() is var v ? double.CreateChecked(v) : double.NaN);
        return option;
    }

    /// <summary>Restricts an optional <paramref name="option"/> to <paramref name="range"/> when it is given.</summary>
    public static Option<T?> Within<T>(this Option<T?> option, NumericRange range) where T : struct, INumber<T>
    {
        Register(option, range, r => r.GetValueOrDefault<T?>() is { } v ? double.CreateChecked(v) : null);
        return option;
    }

    /// <summary>The range declared for <paramref name="option"/>, or null.</summary>
    public static NumericRange? Of(Option option) => Ranges.TryGetValue(option, out var r) ? r : null;

    private static void Register(Option option, NumericRange range, Func<System.CommandLine.Parsing.OptionResult, double?> read)
    {
        Ranges.AddOrUpdate(option, range);
        option.Validators.Add(result =>
        {
            if (result.Errors.Any() || result.Implicit) return;
            double? value;
            try { value = read(result); }
            catch (InvalidOperationException) { return; } // not a number at all: the parser reports that itself
            if (value is { } v && !range.Contains(v))
                result.AddError($"{option.Name} must be {range.Describe()}, got {v.ToString(CultureInfo.InvariantCulture)}");
        });
    }
}
