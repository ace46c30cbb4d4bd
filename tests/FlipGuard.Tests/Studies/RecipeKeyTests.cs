using FlipGuard.Core;
using FlipGuard.Models;
using FlipGuard.Studies;
using FlipGuard.Training;
using FlipGuard.Training.Regularizers;

namespace FlipGuard.Tests.Studies;

public class RecipeKeyTests
{
    private static readonly ModelSpec Spec = new("mlp", 1, 28, 28, 10);
    private const string Data = "d41d8cd98f00b204e9800998ecf8427e";

    [Fact]
    public void SameRecipeGivesSameKey()
    {
        var a = new TrainingConfig { Regularizer = "trace", Seed = 3 }.With(HessianPenalty.Lambda, 0.01);
        var b = new TrainingConfig { Seed = 3 }.With(HessianPenalty.Lambda, 0.01) with { Regularizer = "trace" };
        Assert.Equal(RecipeKey.Of(Spec, a, Data), RecipeKey.Of(Spec, b, Data));
        Assert.Matches("^[0-9a-f]{64}$", RecipeKey.Of(Spec, a, Data));
    }

    /// <summary>Every property of the recipe determines the weights, so changing any one of them must change the key.</summary>
    [Fact]
    public void ChangingAnyRecipePropertyDataOrArchitectureChangesTheKey()
    {
        var baseline = new TrainingConfig();
        string key = RecipeKey.Of(Spec, baseline, Data);
        var seen = new HashSet<string> { key };
        int changed = 0;
        foreach (var p in typeof(TrainingConfig).GetProperties().Where(p => p.CanWrite && p.Name != nameof(TrainingConfig.RegularizerSettings)))
        {
            object? value = p.GetValue(baseline);
            object? other = value switch
            {
                int i => i + 1,
                long l => l + 1,
                double d => d * 1.5 + 1e-3,
                string s => s + "x",
                null when p.PropertyType == typeof(string) => "abc",
                _ => throw new InvalidOperationException($"add a case for {p.Name} ({p.PropertyType})"),
            };
            var copy = baseline with { };
            p.SetValue(copy, other);
            Assert.True(seen.Add(RecipeKey.Of(Spec, copy, Data)), $"changing {p.Name} left the key unchanged");
            changed++;
        }
        // A regulariser's settings are recipe properties too, whenever it is the recipe's regulariser; version 1's six
        // settings (those of none, trace, top-eig and sam) key every recipe of those four, whichever of them it uses.
        Setting[] versionOne = [HessianPenalty.Lambda, TopEigenvalueRegularizer.TopP, SharpnessAwareRegularizer.Rho, HessianPenalty.Layers, HessianPenalty.Every, TraceRegularizer.Probes];
        var varied = RegularizerCatalog.Default.Entries.SelectMany(e => e.Settings.Select(s => (Start: baseline with { Regularizer = e.Name }, Setting: s)))
            .Concat(versionOne.Select(s => (Start: baseline, Setting: s)));
        foreach (var (start, setting) in varied)
        {
            seen.Add(RecipeKey.Of(Spec, start, Data));
            var copy = setting switch
            {
                Setting<int> i => start.With(i, i.Default + 1),
                Setting<double> d => start.With(d, d.Default * 1.5 + 1e-3),
                Setting<string> t => start.With(t, t.Default + "x"),
                _ => throw new InvalidOperationException($"add a case for {setting.Key} ({setting.GetType()})"),
            };
            Assert.True(seen.Add(RecipeKey.Of(Spec, copy, Data)), $"changing {setting.Key} of {start.Regularizer} left the key unchanged");
            changed++;
        }
        Assert.True(changed >= 20, $"only {changed} properties were varied");
        Assert.True(seen.Add(RecipeKey.Of(Spec with { Classes = 9 }, baseline, Data)), "spec");
        Assert.True(seen.Add(RecipeKey.Of(Spec with { Architecture = "lenet5" }, baseline, Data)), "architecture");
        Assert.True(seen.Add(RecipeKey.Of(Spec, baseline, Data + "0")), "data");
    }

    [Fact]
    public void DataHashDependsOnContentNotLocation()
    {
        using var a = FlipGuard.Data.LoadedDataset.Load("mnist-10k", null);
        using var b = FlipGuard.Data.LoadedDataset.Load("mnist-10k", null);
        Assert.Equal(RecipeKey.DataSha256(a), RecipeKey.DataSha256(b));
        using (TorchSharp.torch.no_grad()) a.Train.Images[0, 0, 0, 0].add_(1f);
        Assert.NotEqual(RecipeKey.DataSha256(a), RecipeKey.DataSha256(b));
    }
}
