using System.Text.Json;
using System.Text.Json.Serialization;

namespace FlipGuard.Faults.Encodings;

/// <summary>
/// The JSON of an encoding name in the records that held a bool <c>Int8</c> before encodings existed (sweep, attack and
/// injection definitions, the flip-site table), under that same key: float32 and int8 are written as <c>false</c> and
/// <c>true</c>, exactly as then, so everything written before keeps its bytes and its hash and is read as it was; any
/// other encoding is written as its name.
/// </summary>
public sealed class EncodingFlagJsonConverter : JsonConverter<string>
{
    /// <inheritdoc />
    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.True or JsonTokenType.False => WeightEncodings.FromInt8Flag(reader.GetBoolean()).Name,
        JsonTokenType.String => reader.GetString()!,
        _ => throw new JsonException("an encoding is true, false or a name"),
    };

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options)
    {
        if (value == WeightEncodings.Int8.Name) writer.WriteBooleanValue(true);
        else if (value == WeightEncodings.Float32.Name) writer.WriteBooleanValue(false);
        else writer.WriteStringValue(value);
    }
}
