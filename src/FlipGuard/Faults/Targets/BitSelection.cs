using FlipGuard.Core;
using FlipGuard.Faults.Encodings;

namespace FlipGuard.Faults.Targets;

/// <summary>
/// Which bit positions a sweep flips, as typed on the command line: <c>all</c>, <c>exponent</c> (23–30),
/// <c>exponent-msb</c> (30), <c>sign</c> (31), <c>mantissa</c> (0–22), or a list of positions and ranges such
/// as <c>0,5,30-31</c>. Parsed against a weight encoding, whose bits the names mean (<c>mantissa</c>: the bits below
/// the exponent): int8 has no exponent, so there <c>all</c> is 0–7, <c>sign</c> is 7 and the exponent/mantissa names
/// are errors.
/// </summary>
public sealed class BitSelection
{
    private BitSelection(string text, int[] bits) => (Text, bitArray) = (text, bits);

    private readonly int[] bitArray;

    /// <summary>The text it was parsed from.</summary>
    public string Text { get; }

    /// <summary>The selected positions, ascending and distinct.</summary>
    public IReadOnlyList<int> Bits => bitArray;

    /// <summary>The positions as a canonical string, e.g. <c>0,5,30,31</c> (used in sweep definitions).</summary>
    public string Canonical => string.Join(",", bitArray);

    /// <summary>Parses <paramref name="text"/> for the bits of <paramref name="encoding"/> (default float32).</summary>
    /// <exception cref="FlipGuardException">Unknown name, bad number, out-of-range bit or empty selection.</exception>
    public static BitSelection Parse(string text, IWeightEncoding? encoding = null)
    {
        var e = encoding ?? WeightEncodings.Float32;
        string t = text.Trim().ToLowerInvariant();
        int width = e.BitCount;
        string format = e.Name;
        var exponent = e.ExponentBits;
        int[]? named = t switch
        {
            "all" => Enumerable.Range(0, width).ToArray(),
            "sign" => [e.SignBit],
            "exponent" when exponent.Count > 0 => exponent.ToArray(),
            "exponent-msb" when exponent.Count > 0 => [exponent[^1]],
            "mantissa" when exponent.Count > 0 => Enumerable.Range(0, exponent[0]).ToArray(),
            "exponent" or "exponent-msb" or "mantissa" =>
                throw new FlipGuardException($"--bits {text}: {format} weights have no exponent or mantissa; use all, sign or positions 0-{width - 1}"),
            _ => null,
        };
        if (named is not null) return new BitSelection(t, named);
        var set = new SortedSet<int>();
        foreach (string part in t.Split(',', StringSplitOptions.TrimEntries))
        {
            if (part.Length == 0) throw new FlipGuardException($"--bits {text}: empty item; use all, exponent, exponent-msb, sign, mantissa or positions like 0,5,30-31");
            int dash = part.IndexOf('-', 1);
            int lo = ParseBit(dash < 0 ? part : part[..dash], text, width, format);
            int hi = dash < 0 ? lo : ParseBit(part[(dash + 1)..], text, width, format);
            if (hi < lo) throw new FlipGuardException($"--bits {text}: range {part} runs backwards");
            for (int b = lo; b <= hi; b++) set.Add(b);
        }
        return new BitSelection(t, set.ToArray());
    }

    private static int ParseBit(string s, string text, int width, string format)
    {
        if (!int.TryParse(s, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int b))
            throw new FlipGuardException($"--bits {text}: '{s}' is not a bit position; use all, exponent, exponent-msb, sign, mantissa or positions like 0,5,30-31");
        if (b >= width) throw new FlipGuardException($"--bits {text}: {format} bits are 0–{width - 1}, got {b}");
        return b;
    }

    /// <inheritdoc />
    public override string ToString() => Text;
}
