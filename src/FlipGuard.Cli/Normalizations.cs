using System.Globalization;
using FlipGuard.Core;
using FlipGuard.Data;
using FlipGuard.Interop;

namespace FlipGuard.Cli;

/// <summary>Reads the <c>--normalize</c> option: <c>dataset</c>, <c>none</c> or per-channel <c>MEAN:STD</c> lists.</summary>
public static class Normalizations
{
    /// <summary>
    /// The normalisation to evaluate with; null means the dataset's default. With <c>dataset</c>, a FlipGuard export's
    /// own stored statistics win over the dataset's.
    /// </summary>
    /// <exception cref="FlipGuardException">Malformed value.</exception>
    public static Normalization? Parse(string text, string dataset, WeightFile weights, string source)
    {
        if (text == "dataset") return InteropMetadata.Normalization(weights.Metadata, source);
        if (text == "none") return Normalization.None(Normalization.ForDataset(dataset).Mean.Length);
        string[] parts = text.Split(':');
        if (parts.Length == 2)
        {
            var mean = Floats(parts[0]);
            var std = Floats(parts[1]);
            if (mean is not null && std is not null && mean.Length == std.Length && std.All(s => s > 0))
                return new Normalization(mean, std);
        }
        throw new FlipGuardException($"--normalize must be dataset, none or MEAN:STD with one positive STD per mean (e.g. 0.5:0.5), got '{text}'");
    }

    private static float[]? Floats(string text)
    {
        var values = text.Split(',');
        var result = new float[values.Length];
        for (int i = 0; i < values.Length; i++)
            if (!float.TryParse(values[i], NumberStyles.Float, CultureInfo.InvariantCulture, out result[i])) return null;
        return result;
    }
}
