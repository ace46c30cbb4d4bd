using System.Text.Json;
using FlipGuard.Attacks;
using FlipGuard.Core;
using FlipGuard.Defenses;
using FlipGuard.Defenses.Ranking;
using FlipGuard.Faults.Encodings;
using FlipGuard.Faults.Evaluation;
using FlipGuard.Faults.Targets;
using FlipGuard.Injection;
using FlipGuard.Sweeps;
using FlipGuard.Sweeps.Storage;
using FlipGuard.Tests.Faults;
using FlipGuard.Workflows;
using static TorchSharp.torch;

namespace FlipGuard.Tests.Workflows;

/// <summary>
/// The workflows the CLI commands and the study analyses both call give exactly what the pieces assembled by hand (as
/// both did before) give, on the tiny 8-6-4 classifier: same definitions, same counts, same trajectories and trials.
/// </summary>
public class WorkflowTests
{
    private const string Sha = "0123abcd", Dataset = "tiny";

    /// <summary>Two identical models from one seed: one for the workflow, one for the hand-assembled run (int8 quantises in place).</summary>
    private static (ModelUnderTest Model, FlipTarget Twin) Pair(bool int8)
    {
        var (model, x, y) = TinyClassifier.Create(seed: 3, samples: 64);
        var (pool, poolX, poolY) = TinyClassifier.Create(seed: 3, samples: 200);
        pool.Dispose();
        var (twin, _, _) = TinyClassifier.Create(seed: 3, samples: 64);
        var encoding = WeightEncodings.FromInt8Flag(int8);
        return (new ModelUnderTest(FlipTarget.Create(model, encoding), Sha, Dataset, x, y, poolX, poolY), FlipTarget.Create(twin, encoding));
    }

    private static IDefense Defense(string kind, FlipTarget target) =>
        new DefenseChoice(kind, SettingValues.Empty.With(RadarKind.GroupSize, 6).With(RadarKind.Key, 1L)).Create(target, () => EntryScores.Magnitude(target));

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, RecordJournal.Json);

    private static void AssertSameSweep(SweepResult expected, SweepResult actual)
    {
        Assert.Equal(expected.Definition, actual.Definition);
        Assert.Equal(expected.Evaluator, actual.Evaluator);
        Assert.Equal(expected.CleanCorrect, actual.CleanCorrect);
        Assert.Equal(expected.Counts.ToArray(), actual.Counts.ToArray());
        Assert.Equal(Json(SweepSummary.From(expected)), Json(SweepSummary.From(actual)));
    }

    [Theory]
    [InlineData(false, false, "0,30,31")]
    [InlineData(true, false, "0,6,7")]
    [InlineData(false, true, "0,30,31")]
    public void SweepEqualsTheHandAssembledSweep(bool int8, bool naive, string bitPositions)
    {
        using var dir = new TempDirectory();
        var (model, twin) = Pair(int8);
        var bits = BitSelection.Parse(bitPositions, twin.Encoding);
        var options = new SweepOptions(bits, ParameterSelection.Parse("sample:30")) { Seed = 7, BlockSize = 16 };

        var (evaluator, name) = FlipEvaluatorFactory.Create(twin, model.TestImages, model.TestLabels, naive, 50);
        SweepResult expected;
        using (evaluator)
            expected = BitFlipSweep.Run(twin, evaluator, options with { CheckpointSha256 = Sha, Dataset = Dataset, Chunk = 50, EvaluatorName = name });

        using var sweep = new SweepWorkflow(model, chunk: 50, naive);
        var actual = sweep.Run(options with { JournalDirectory = SweepJournal.PathIn(dir.Path) });
        AssertSameSweep(expected, actual);
        Assert.Equal((Sha, Dataset, 50, WeightEncodings.FromInt8Flag(int8).Name), (actual.Definition.CheckpointSha256, actual.Definition.Dataset, actual.Definition.Chunk, actual.Definition.Encoding));
        Assert.Null(actual.Definition.Defense);
        Assert.Equal(naive ? "naive" : name, actual.Evaluator);
        Assert.True(File.Exists(Path.Combine(SweepJournal.PathIn(dir.Path), "header.json")));

        // A second sweep through the same workflow (its evaluator reused) resumes from the journal with the same counts.
        var again = sweep.Run(options with { JournalDirectory = SweepJournal.PathIn(dir.Path), Resume = true });
        Assert.Equal(actual.Evaluated, again.Resumed);
        AssertSameSweep(expected, again);
    }

    [Fact]
    public void DefendedSweepsThroughOneWorkflowEqualAFreshHandAssembledRunPerDefense()
    {
        using var dir = new TempDirectory();
        var (model, twin) = Pair(int8: false);
        var options = new SweepOptions(BitSelection.Parse("0,23,30,31"), ParameterSelection.All) { Seed = 2 };

        // The study's path: one workflow, the defenses in turn, the evaluator and the flip enumeration shared.
        using var sweep = new SweepWorkflow(model, chunk: 40);
        foreach (string kind in new[] { "radar", "guard", "ecc" })
        {
            var shield = Defense(kind, model.Target);
            var screening = sweep.Screen(shield, options);
            var actual = sweep.Run(options with { JournalDirectory = SweepJournal.PathIn(dir.Sub(kind)) }, shield);

            // The CLI's path before the workflows: the sites, the screening, a fresh evaluator wrapped in the defense.
            var twinShield = Defense(kind, twin);
            var expectedScreening = DefenseScreening.Run(twinShield, FlipSites.Create(twin, options.Bits, options.Parameters, options.Seed));
            var (inner, innerName) = FlipEvaluatorFactory.Create(twin, model.TestImages, model.TestLabels, naive: false, 40);
            SweepResult expected;
            using (var evaluator = new DefendedFlipEvaluator(twin, twinShield, inner, model.TestImages, model.TestLabels, 40))
                expected = BitFlipSweep.Run(twin, evaluator, options with
                {
                    CheckpointSha256 = Sha, Dataset = Dataset, Chunk = 40, Defense = twinShield.Name, EvaluatorName = $"defended({innerName})",
                });

            Assert.Equal(Json(expectedScreening), Json(screening));
            AssertSameSweep(expected, actual);
            Assert.Equal(shield.Name, actual.Definition.Defense);
            Assert.StartsWith("defended(", actual.Evaluator, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("guard")]
    [InlineData("radar")]
    public void AttackEqualsTheHandAssembledAttack(string? kind)
    {
        using var dir = new TempDirectory();
        var (model, twin) = Pair(int8: true);
        var options = new AttackOptions(BitSelection.Parse("all", WeightEncodings.Int8)) { BatchSize = 32, TopK = 3, MaxFlips = 5, TargetAccuracy = 0.3, Seeds = [4, 9] };

        var twinShield = kind is null ? null : Defense(kind, twin);
        var expected = ProgressiveBitSearch.Run(twin, model.PoolImages, model.PoolLabels, model.TestImages, model.TestLabels, options with
        {
            CheckpointSha256 = Sha, Dataset = Dataset, Repair = twinShield is null ? null : new DefenseRepair(twinShield), TargetOnRepaired = twinShield is not null,
        });

        var shield = kind is null ? null : Defense(kind, model.Target);
        var actual = AttackWorkflow.Run(model, options with { JournalDirectory = dir.Sub("journal") }, shield);
        Assert.Equal(Json(expected.Definition), Json(actual.Definition));
        Assert.Equal(Json(expected.Trajectories), Json(actual.Trajectories));
        Assert.Equal((expected.CleanAccuracy, expected.TargetAccuracy), (actual.CleanAccuracy, actual.TargetAccuracy));
        Assert.Equal((Sha, Dataset, shield?.Name, kind is not null), (actual.Definition.CheckpointSha256, actual.Definition.Dataset, actual.Definition.Repair, actual.Definition.TargetOnRepaired));
        Assert.True(File.Exists(Path.Combine(dir.Sub("journal"), "definition.json")));
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData(null, true)]
    [InlineData("ecc", false)]
    [InlineData("radar", true)]
    public void InjectionEqualsTheHandAssembledInjection(string? kind, bool int8)
    {
        using var dir = new TempDirectory();
        var (model, twin) = Pair(int8);
        var options = new InjectionOptions(InjectionMode.BitErrorRate, [1e-3, 1e-2], BitSelection.Parse("all", WeightEncodings.FromInt8Flag(int8))) { Trials = 6, Seed = 5, Chunk = 40 };

        var twinShield = kind is null ? null : Defense(kind, twin);
        var expected = RandomFaultInjection.Run(twin, model.TestImages, model.TestLabels, options with
        {
            CheckpointSha256 = Sha, Dataset = Dataset, Repair = twinShield is null ? null : new DefenseRepair(twinShield),
        });

        var shield = kind is null ? null : Defense(kind, model.Target);
        var actual = InjectionWorkflow.Run(model, options with { JournalDirectory = dir.Sub("journal") }, shield);
        Assert.Equal(Json(expected.Definition), Json(actual.Definition));
        Assert.Equal(Json(expected.Levels), Json(actual.Levels));
        Assert.Equal((Sha, Dataset, shield?.Name), (actual.Definition.CheckpointSha256, actual.Definition.Dataset, actual.Definition.Repair));
        Assert.True(File.Exists(Path.Combine(dir.Sub("journal"), "definition.json")));
    }

    [Fact]
    public void ProgressRelayReportsOnTheReportingThreadBeforeReturning()
    {
        var seen = new List<(int Value, int Thread)>();
        IProgress<int> relay = new ProgressRelay<int>(v => seen.Add((v, Environment.CurrentManagedThreadId)));
        for (int i = 0; i < 5; i++)
        {
            relay.Report(i);
            Assert.Equal(i + 1, seen.Count);        // delivered before Report returns, not posted for later
        }
        Assert.Equal([0, 1, 2, 3, 4], seen.Select(s => s.Value));
        Assert.All(seen, s => Assert.Equal(Environment.CurrentManagedThreadId, s.Thread));
    }
}
