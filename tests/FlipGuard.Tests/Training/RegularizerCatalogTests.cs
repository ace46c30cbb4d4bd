using System.Text.Json;
using FlipGuard.Checkpoints;
using FlipGuard.Core;
using FlipGuard.Studies;
using FlipGuard.Training;
using FlipGuard.Training.Objectives;
using FlipGuard.Training.Regularizers;

namespace FlipGuard.Tests.Training;

/// <summary>
/// The regulariser catalogue: one entry per regulariser gives the CLI, the study file, the recipe JSON and the report
/// their names, settings and words; a regulariser added to it writes only its own settings into a recipe.
/// </summary>
public class RegularizerCatalogTests
{
    /// <summary>A regulariser as a later one would be added: its own settings, nothing else.</summary>
    private sealed class Smoothing : Regularizer<(double Alpha, int Warm)>
    {
        public static Setting<double> Alpha { get; } = new("alpha", 0.1, "Smoothing weight.");
        public static Setting<int> Warm { get; } = new("warm", 2, "Warm steps.");
        public override string Name => "smooth";
        public override string? Summary => "label smoothing";
        public override IReadOnlyList<Setting> Settings { get; } = [Alpha, Warm];
        public override (double Alpha, int Warm) Read(SettingValues settings) => (settings.Get(Alpha), settings.Get(Warm));
        public override IStepObjective Create((double Alpha, int Warm) settings, long seed) => new CrossEntropyObjective();
        public override string Describe((double Alpha, int Warm) settings) => $"smoothing α={settings.Alpha}";
    }

    private static readonly Catalog<IRegularizer> WithSmoothing = new([.. RegularizerCatalog.Default.Entries, new Smoothing()]);

    private static JsonSerializerOptions OptionsFor(Catalog<IRegularizer> catalog)
    {
        var options = new JsonSerializerOptions(CheckpointFile.JsonOptions);
        options.Converters.Add(new TrainingConfigJson(catalog));
        return options;
    }

    [Fact]
    public void TheCatalogueGivesTheNamesHelpAndSettingsTheFrontEndsShow()
    {
        var c = RegularizerCatalog.Default;
        Assert.Equal(["none", "trace", "top-eig", "sam"], c.Names);
        Assert.Equal("none, trace, top-eig or sam", c.NameList);
        Assert.Equal("none, trace (Hessian-aware: + lambda*Tr(H)), top-eig (+ lambda * sum of top eigenvalues) or sam (sharpness-aware baseline)", c.Help);
        Assert.Equal(["lambda", "hessian-layers", "reg-every", "probes", "top-p", "rho"], c.Settings.Select(s => s.Key));
        Assert.All(c.Settings, s => Assert.Contains(s.Key, TrainingSettings.Keys));
        Assert.Equal("--reg must be none, trace, top-eig or sam, got 'l2'", Assert.Throws<FlipGuardException>(() => new TrainingConfig { Regularizer = "l2" }.Validate()).Message);
    }

    [Fact]
    public void TwoEntriesWithOneNameOrOneKeyOfTwoTypesAreRefused()
    {
        Assert.Throws<ArgumentException>(() => new Catalog<IRegularizer>([new PlainRegularizer(), new PlainRegularizer()]));
        Assert.Throws<ArgumentException>(() => new Catalog<IRegularizer>([new Smoothing(), new Clash()]));
        Assert.Throws<ArgumentException>(() => new Setting<int>("Top_P", 1, "not kebab-case"));
    }

    private sealed class Clash : IRegularizer
    {
        public string Name => "clash";
        public string? Summary => null;
        public IReadOnlyList<Setting> Settings { get; } = [new Setting<string>("alpha", "", "alpha as text")];
        public IStepObjective Create(SettingValues settings, long seed) => new CrossEntropyObjective();
        public string Describe(SettingValues settings) => "";
    }

    /// <summary>Today's report words for each regulariser (the strings <c>TrainingSettings.Describe</c> made before the catalogue).</summary>
    [Theory]
    [InlineData("none", "plain cross-entropy; 10 epochs, sgd lr 0.05")]
    [InlineData("trace", "HAT trace λ=0.002, layers all; 10 epochs, sgd lr 0.05")]
    [InlineData("top-eig", "HAT top-3 eigenvalue λ=0.002, layers all; 10 epochs, sgd lr 0.05")]
    [InlineData("sam", "SAM ρ=0.1; 10 epochs, sgd lr 0.05")]
    public void EachRegularizerDescribesItself(string name, string expected)
    {
        var c = new TrainingConfig { Regularizer = name }.With(HessianPenalty.Lambda, 0.002).With(HessianPenalty.Layers, "all").With(HessianPenalty.Every, 1)
            .With(TopEigenvalueRegularizer.TopP, 3).With(SharpnessAwareRegularizer.Rho, 0.1);
        Assert.Equal(expected, TrainingSettings.Describe(c));
        Assert.Equal("HAT trace λ=0.01, layers sample:1 every 4 steps; 1 epoch, adam lr 0.001, 2 warm-up",
            TrainingSettings.Describe(new TrainingConfig { Regularizer = "trace", Epochs = 1, Optimizer = "adam", LearningRate = 0.001, WarmupEpochs = 2 }));
    }

    [Fact]
    public void EachRegularizerBuildsItsObjectiveWithItsSettingsAndRefusesBadOnes()
    {
        Assert.IsType<CrossEntropyObjective>(new TrainingConfig().CreateObjective());
        Assert.IsType<HessianTraceObjective>(new TrainingConfig { Regularizer = "trace" }.CreateObjective());
        Assert.IsType<TopEigenvalueObjective>(new TrainingConfig { Regularizer = "top-eig" }.CreateObjective());
        Assert.IsType<SharpnessAwareObjective>(new TrainingConfig { Regularizer = "sam" }.CreateObjective());
        string Error(TrainingConfig c) => Assert.Throws<FlipGuardException>(c.Validate).Message;
        Assert.Equal("--lambda must be a number ≥ 0, got -1", Error(new TrainingConfig { Regularizer = "trace" }.With(HessianPenalty.Lambda, -1.0)));
        Assert.Equal("--probes must be at least 1, got 0", Error(new TrainingConfig { Regularizer = "trace" }.With(TraceRegularizer.Probes, 0)));
        Assert.Equal("--top-p must be at least 1 eigenvalue, got 0", Error(new TrainingConfig { Regularizer = "top-eig" }.With(TopEigenvalueRegularizer.TopP, 0)));
        Assert.Equal("--reg-every must be at least 1, got 0", Error(new TrainingConfig { Regularizer = "top-eig" }.With(HessianPenalty.Every, 0)));
        Assert.Equal("--rho must be positive, got 0", Error(new TrainingConfig { Regularizer = "sam" }.With(SharpnessAwareRegularizer.Rho, 0.0)));
        new TrainingConfig().With(SharpnessAwareRegularizer.Rho, 0.0).Validate();   // a regulariser's settings are checked only when it is used
    }

    /// <summary>
    /// A regulariser added later writes only its own settings, nested; the six flat settings of the original four and
    /// every other regulariser's settings stay out of its recipe, and its settings stay out of everyone else's.
    /// </summary>
    [Fact]
    public void AnAddedRegularizerWritesOnlyItsOwnSettingsAndLeavesOtherRecipesAlone()
    {
        var options = OptionsFor(WithSmoothing);
        var smooth = new TrainingConfig { Regularizer = "smooth" }.With(Smoothing.Alpha, 0.3);
        string json = JsonSerializer.Serialize(smooth, options);
        Assert.Contains("\"regularizer\":\"smooth\",\"regularizerSettings\":{\"alpha\":0.3,\"warm\":2},\"warmupEpochs\":0", json);
        Assert.DoesNotContain("lambda", json);
        Assert.Equal(json, JsonSerializer.Serialize(smooth.With(HessianPenalty.Lambda, 0.5).With(SharpnessAwareRegularizer.Rho, 0.2), options));

        var trace = new TrainingConfig { Regularizer = "trace" }.With(HessianPenalty.Lambda, 0.002);
        Assert.Equal(JsonSerializer.Serialize(trace, CheckpointFile.JsonOptions), JsonSerializer.Serialize(trace.With(Smoothing.Alpha, 0.9), options));
        Assert.DoesNotContain("regularizerSettings", JsonSerializer.Serialize(trace, options));

        var back = JsonSerializer.Deserialize<TrainingConfig>(json, options)!;
        Assert.Equal(("smooth", 0.3, 2), (back.Regularizer, back.RegularizerSettings.Get(Smoothing.Alpha), back.RegularizerSettings.Get(Smoothing.Warm)));
        Assert.Equal(json, JsonSerializer.Serialize(back, options));
    }

    /// <summary>Recipes are equal when they make the same model: a setting no regulariser of the recipe's JSON reads does not count.</summary>
    [Fact]
    public void RecipesAreEqualWhenTheirJsonIs()
    {
        var unlisted = new Setting<int>("unlisted", 0, "read by no regulariser");
        var a = new TrainingConfig { Regularizer = "trace", Seed = 4 };
        Assert.Equal(a, a.With(unlisted, 7));
        Assert.Equal(a.GetHashCode(), a.With(unlisted, 7).GetHashCode());
        Assert.Equal(a, a.With(HessianPenalty.Lambda, 0.01));                       // the default, given
        Assert.NotEqual(a, a.With(SharpnessAwareRegularizer.Rho, 0.2));             // unused, but in version 1's JSON
        Assert.NotEqual(a, a with { Seed = 5 });
        Assert.Equal(a, JsonSerializer.Deserialize<TrainingConfig>(JsonSerializer.Serialize(a.With(unlisted, 7), CheckpointFile.JsonOptions), CheckpointFile.JsonOptions));
    }

    /// <summary>A study file's regulariser keys go through the same settings as the command line's options.</summary>
    [Fact]
    public void AStudyReadsTheCataloguesSettingsWithItsOwnErrors()
    {
        const string text = """
            name: t
            training:
              lambda: 0.002
              probes: 3
            recipes:
              - name: plain
              - name: top
                reg: top-eig
                top-p: 2
            """;
        var c = StudyConfig.Parse(text, "s.yaml", Path.GetTempPath());
        var top = c.Recipes[1].Template.RegularizerSettings;
        Assert.Equal((0.002, 3, 2), (top.Get(HessianPenalty.Lambda), top.Get(TraceRegularizer.Probes), top.Get(TopEigenvalueRegularizer.TopP)));
        Assert.Equal(0.002, c.Recipes[0].Template.RegularizerSettings.Get(HessianPenalty.Lambda));
        var e = Assert.Throws<FlipGuardException>(() => StudyConfig.Parse(text.Replace("top-p: 2", "top-p: two", StringComparison.Ordinal), "s.yaml", Path.GetTempPath()));
        Assert.Equal("s.yaml:9: recipes[1].top-p must be an integer, got 'two'", e.Message);
    }
}
