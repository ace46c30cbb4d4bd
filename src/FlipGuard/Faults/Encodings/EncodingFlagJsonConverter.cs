using System.Text.Json;
using System.Text.Json.Serialization;

namespace FlipGuard.Faults.Encodings;

/// <summary>
/// The JSON of an encoding name in the records that held a bool flag before encodings existed (sweep, attack and
/// injection definitions and study settings, the flip-site table), under that same key: this converter writes int8
/// and float32 as <c>true</c> and <c>false</c> (the former <c>Int8</c> flag; <see cref="Float32Flag"/> for the former
/// <c>float32</c> flag of the attack study), exactly as then, so everything written before keeps its bytes and its
/// hash and is read as it was; any other encoding is written as its name.
/// </summary>
public class EncodingFlagJsonConverter : JsonConverter<string>
{
    private readonly IWeightEncoding whenTrue, whenFalse;

    /// <summary>The former <c>Int8</c> flag: true is int8, false float32.</summary>
    public EncodingFlagJsonConverter() : this(WeightEncodings.Int8, WeightEncodings.Float32) { }

    /// <summary>A flag that meant <paramref name="whenTrue"/> when set and <paramref name="whenFalse"/> when not.</summary>
    protected EncodingFlagJsonConverter(IWeightEncoding whenTrue, IWeightEncoding whenFalse) => (this.whenTrue, this.whenFalse) = (whenTrue, whenFalse);

    /// <inheritdoc />
    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.True => whenTrue.Name,
        JsonTokenType.False => whenFalse.Name,
        JsonTokenType.String => reader.GetString()!,
        _ => throw new JsonException("an encoding is true, false or a name"),
    };

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options)
    {
        if (value == whenTrue.Name) writer.WriteBooleanValue(true);
        else if (value == whenFalse.Name) writer.WriteBooleanValue(false);
        else writer.WriteStringValue(value);
    }

    /// <summary>The former <c>float32</c> flag (whose default, false, was int8).</summary>
    public sealed class Float32Flag() : EncodingFlagJsonConverter(WeightEncodings.Float32, WeightEncodings.Int8);
}
