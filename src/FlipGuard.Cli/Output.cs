using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace FlipGuard.Cli;

/// <summary>Where a command's results go: human tables on the console, or one JSON document with --json.</summary>
public static class Output
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Writes <paramref name="value"/> as indented JSON on standard output.</summary>
    public static void WriteJson<T>(T value) => Console.Out.WriteLine(Serialize(value));

    /// <summary><paramref name="value"/> as the same indented JSON, for result files.</summary>
    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Json);

    /// <summary>A bordered table with the given column headers.</summary>
    public static Table Table(params string[] columns)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (string c in columns) table.AddColumn(new TableColumn(Markup.Escape(c)));
        return table;
    }

    /// <summary>A percentage with two decimals, e.g. 97.35%.</summary>
    public static string Percent(double fraction) => $"{fraction * 100:F2}%";
}
