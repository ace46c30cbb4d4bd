using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;
using FlipGuard.Core;
using FlipGuard.Training.Regularizers;

namespace FlipGuard.Training;

/// <summary>
/// The one JSON form of a <see cref="TrainingConfig"/>: in checkpoint headers, resume snapshots, <c>--json</c> output
/// and, hashed, the recipe key. The fields come in the order they always had. The regulariser's settings are where the
/// key's stability lives: the four regularisers of recipe-key version 1 (none, trace, top-eig, sam) write the six
/// settings they had as flat fields (lambda … probes), all six, used or not, exactly as before, so no key of a model
/// trained so far moves; any regulariser added later writes only its own settings, nested under
/// <c>regularizerSettings</c>, so adding one changes no existing key and the settings of regularisers a recipe does not
/// use never enter its key. Reading takes both forms (and headers written before the catalogue existed).
/// </summary>
public sealed class TrainingConfigJson : JsonConverter<TrainingConfig>
{
    /// <summary>The regularisers of recipe-key version 1; their settings stay flat fields of the recipe.</summary>
    private static readonly string[] FlatRegularizers = ["none", "trace", "top-eig", "sam"];

    /// <summary>Those flat fields, in their version-1 order. Frozen: changing it moves every recipe key.</summary>
    private static readonly Setting[] FlatSettings =
        [HessianPenalty.Lambda, TopEigenvalueRegularizer.TopP, SharpnessAwareRegularizer.Rho, HessianPenalty.Layers, HessianPenalty.Every, TraceRegularizer.Probes];

    private const string Nested = "RegularizerSettings";

    private static readonly JsonSerializerOptions CanonicalOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private readonly Catalog<IRegularizer> catalog;

    /// <summary>The form for <see cref="RegularizerCatalog.Default"/> (what <see cref="TrainingConfig"/> is serialised with).</summary>
    public TrainingConfigJson() : this(RegularizerCatalog.Default) { }

    /// <summary>The form for another catalogue (tests of how an added regulariser is written).</summary>
    public TrainingConfigJson(Catalog<IRegularizer> catalog) => this.catalog = catalog;

    /// <summary>The recipe's JSON with checkpoint headers' options (camelCase, compact): what two equal recipes share.</summary>
    public static string Canonical(TrainingConfig config) => JsonSerializer.Serialize(config, CanonicalOptions);

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, TrainingConfig value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        Field(writer, options, nameof(value.Model), value.Model);
        Field(writer, options, nameof(value.Dataset), value.Dataset);
        Field(writer, options, nameof(value.Epochs), value.Epochs);
        Field(writer, options, nameof(value.BatchSize), value.BatchSize);
        Field(writer, options, nameof(value.Optimizer), value.Optimizer);
        Field(writer, options, nameof(value.LearningRate), value.LearningRate);
        Field(writer, options, nameof(value.Momentum), value.Momentum);
        Field(writer, options, nameof(value.WeightDecay), value.WeightDecay);
        Field(writer, options, nameof(value.Schedule), value.Schedule);
        Field(writer, options, nameof(value.Seed), value.Seed);
        Field(writer, options, nameof(value.TrainLimit), value.TrainLimit);
        Field(writer, options, nameof(value.Regularizer), value.Regularizer);
        var settingWriter = new SettingWriter(writer, options, value.RegularizerSettings);
        var chosen = catalog.Find(value.Regularizer);
        if (chosen is null || FlatRegularizers.Contains(chosen.Name))
            foreach (var s in FlatSettings) s.Accept(settingWriter);
        else
        {
            writer.WritePropertyName(NameOf(options, Nested));
            writer.WriteStartObject();
            foreach (var s in chosen.Settings) s.Accept(settingWriter);
            writer.WriteEndObject();
        }
        Field(writer, options, nameof(value.WarmupEpochs), value.WarmupEpochs);
        Field(writer, options, nameof(value.InitWeightsSha256), value.InitWeightsSha256);
        writer.WriteEndObject();
    }

    /// <inheritdoc />
    public override TrainingConfig Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        var e = document.RootElement;
        if (e.ValueKind != JsonValueKind.Object) throw new JsonException("a training recipe is a JSON object");
        var settings = SettingValues.Empty.Read(FlatSettings, new JsonSource(e, options));
        if (Property(e, options, Nested) is { ValueKind: JsonValueKind.Object } nested)
            settings = settings.Read(catalog.Settings, new JsonSource(nested, options));
        var d = new TrainingConfig();
        return new TrainingConfig
        {
            Model = Get(e, options, nameof(d.Model), d.Model),
            Dataset = Get(e, options, nameof(d.Dataset), d.Dataset),
            Epochs = Get(e, options, nameof(d.Epochs), d.Epochs),
            BatchSize = Get(e, options, nameof(d.BatchSize), d.BatchSize),
            Optimizer = Get(e, options, nameof(d.Optimizer), d.Optimizer),
            LearningRate = Get(e, options, nameof(d.LearningRate), d.LearningRate),
            Momentum = Get(e, options, nameof(d.Momentum), d.Momentum),
            WeightDecay = Get(e, options, nameof(d.WeightDecay), d.WeightDecay),
            Schedule = Get(e, options, nameof(d.Schedule), d.Schedule),
            Seed = Get(e, options, nameof(d.Seed), d.Seed),
            TrainLimit = Get(e, options, nameof(d.TrainLimit), d.TrainLimit),
            Regularizer = Get(e, options, nameof(d.Regularizer), d.Regularizer),
            RegularizerSettings = settings,
            WarmupEpochs = Get(e, options, nameof(d.WarmupEpochs), d.WarmupEpochs),
            InitWeightsSha256 = Get(e, options, nameof(d.InitWeightsSha256), d.InitWeightsSha256),
        };
    }

    private static string NameOf(JsonSerializerOptions options, string property) => options.PropertyNamingPolicy?.ConvertName(property) ?? property;

    private static void Field<T>(Utf8JsonWriter writer, JsonSerializerOptions options, string property, T value)
    {
        writer.WritePropertyName(NameOf(options, property));
        JsonSerializer.Serialize(writer, value, options);
    }

    private static JsonElement? Property(JsonElement e, JsonSerializerOptions options, string property)
    {
        string name = NameOf(options, property);
        if (e.TryGetProperty(name, out var v)) return v;
        if (options.PropertyNameCaseInsensitive)
            foreach (var p in e.EnumerateObject())
                if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)) return p.Value;
        return null;
    }

    private static T Get<T>(JsonElement e, JsonSerializerOptions options, string property, T fallback) =>
        Property(e, options, property) is { } v ? v.Deserialize<T>(options)! : fallback;

    private sealed class SettingWriter(Utf8JsonWriter writer, JsonSerializerOptions options, SettingValues values) : ISettingVisitor<bool>
    {
        public bool Visit<T>(Setting<T> setting)
        {
            Field(writer, options, setting.PropertyName, values.Get(setting));
            return true;
        }
    }

    private sealed class JsonSource(JsonElement e, JsonSerializerOptions options) : ISettingSource
    {
        public bool TryGet<T>(Setting<T> setting, [MaybeNullWhen(false)] out T value)
        {
            if (Property(e, options, setting.PropertyName) is not { } v)
            {
                value = default;
                return false;
            }
            value = v.Deserialize<T>(options)!;
            return true;
        }
    }
}
