using System.Text.Json;
using FlipGuard.Core;
using FlipGuard.Faults.Evaluation;
using FlipGuard.Faults.Targets;
using FlipGuard.Sweeps;
using FlipGuard.Sweeps.Storage;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FlipGuard.Tests.Faults;

public class SweepTests
{
    private sealed class TwoLayers : nn.Module<Tensor, Tensor>
    {
        private readonly Linear l1 = nn.Linear(2, 2), l2 = nn.Linear(2, 1);
        public TwoLayers() : base("two")
        {
            RegisterComponents();
            using (no_grad())
            {
                foreach (var p in l1.parameters()) p.fill_(0.5f);
                foreach (var p in l2.parameters()) p.fill_(0.5f);
                l2.weight!.fill_(-0.5f);
            }
        }
        public override Tensor forward(Tensor x) => l2.forward(l1.forward(x));
    }

    private static string Json(SweepSummary s) => JsonSerializer.Serialize(s);

    [Fact]
    public void AggregatesPerBitLayerAndDirectionOnAHandCheckableCase()
    {
        FlipGuard.Core.TorchRuntime.EnsureInitialized();
        var target = FlipTarget.Create(new TwoLayers());
        var result = BitFlipSweep.Run(target, new ScriptedEvaluator(), new SweepOptions(BitSelection.Parse("0,30,31"), ParameterSelection.All) { BlockSize = 5 });
        var s = SweepSummary.From(result);
        // 9 entries (l1: 4 weights + 2 biases at 0.5; l2: 2 weights at -0.5 + 1 bias at 0.5), 3 bits each.
        Assert.Equal(27, s.FlipsEvaluated);
        Assert.True(s.Complete);
        Assert.Equal(0.8, s.CleanAccuracy);
        var o = s.Overall;
        Assert.Equal((27L, 9L, 18L, 9L, 9L, 9L, 1.0), (o.Flips, o.Improved, o.RadAbove10, o.Rad90To100, o.Entries, o.ErraticEntries, o.ErraticFraction));
        Assert.Equal(9, o.Histogram[19]); // bit 30: RAD 100%
        Assert.Equal(9, o.Histogram[2]);  // bit 31: RAD 12.5%
        Assert.Equal(18, o.Histogram.Sum());
        Assert.Equal(["0", "30", "31"], s.PerBit.Select(g => g.Key));
        Assert.Equal([0L, 9L, 9L], s.PerBit.Select(g => g.RadAbove10));
        Assert.Equal([0L, 9L, 0L], s.PerBit.Select(g => g.Rad90To100));
        Assert.Equal([9L, 0L, 0L], s.PerBit.Select(g => g.Improved));
        Assert.Equal(["l1", "l2"], s.PerLayer.Select(g => g.Key));
        Assert.Equal([18L, 9L], s.PerLayer.Select(g => g.Flips));
        Assert.Equal([6L, 3L], s.PerLayer.Select(g => g.Rad90To100));
        Assert.Equal([6L, 3L], s.PerLayer.Select(g => g.ErraticEntries));
        var up = s.PerDirection[0];
        var down = s.PerDirection[1];
        Assert.Equal(("0to1", 25L, 9L, 16L), (up.Key, up.Flips, up.Entries, up.RadAbove10));
        Assert.Equal(("1to0", 2L, 2L, 2L, 2L), (down.Key, down.Flips, down.Entries, down.RadAbove10, down.ErraticEntries));
        Assert.Null(s.Estimates);
    }

    [Fact]
    public void SampledSweepsEstimateTotalsWithIntervals()
    {
        FlipGuard.Core.TorchRuntime.EnsureInitialized();
        var target = FlipTarget.Create(new TwoLayers());
        var result = BitFlipSweep.Run(target, new ScriptedEvaluator(), new SweepOptions(BitSelection.Parse("30"), ParameterSelection.Parse("sample:4")) { Seed = 1 });
        var e = SweepSummary.From(result).Estimates!;
        Assert.Equal((9L, 9L, 4L), (e.PopulationEntries, e.PopulationFlips, e.SampledEntries));
        Assert.Equal(9, e.Rad90To100Flips.Estimate, 9);
        Assert.InRange(e.Rad90To100Flips.Low, 4, 9);
        Assert.Equal(9, e.Rad90To100Flips.High, 9);
        Assert.Equal(9, e.ErraticEntries.Estimate, 9);
    }

    private static (FlipTarget Target, NaiveFlipEvaluator Evaluator) Tiny()
    {
        var (model, x, y) = TinyClassifier.Create();
        var target = FlipTarget.Create(model);
        return (target, new NaiveFlipEvaluator(target, x, y));
    }

    private static SweepOptions Options(string journal, string bits = "exponent", SweepShard? shard = null) =>
        new(BitSelection.Parse(bits), ParameterSelection.Parse("sample:40")) { Seed = 9, BlockSize = 37, JournalDirectory = journal, Shard = shard ?? SweepShard.Whole, CheckpointSha256 = "tiny" };

    [Fact]
    public void AKilledRunResumesToExactlyTheUninterruptedSummary()
    {
        using var dir = new TempDirectory();
        var (target, ev) = Tiny();
        string reference = Json(SweepSummary.From(BitFlipSweep.Run(target, ev, Options(dir.Sub("full")))));

        // Kill: cancel from the progress callback after two blocks.
        string j = dir.Sub("killed");
        using var cts = new CancellationTokenSource();
        var progress = new ProgressRelay<SweepProgress>(p => { if (p.Done >= 74) cts.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => BitFlipSweep.Run(target, ev, Options(j), progress, cts.Token));
        Assert.Equal(2, Directory.GetFiles(j, "block-*.bin").Length);
        var counting = new CountingEvaluator(ev);
        var resumed = BitFlipSweep.Run(target, counting, Options(j) with { Resume = true });
        Assert.Equal(74, resumed.Resumed);
        Assert.Equal(320 - 74, counting.Calls);
        Assert.Equal(reference, Json(SweepSummary.From(resumed)));

        // Damage: truncate the last block, delete another, leave a stray temporary file; resume redoes exactly those.
        var blocks = Directory.GetFiles(j, "block-*.bin").Order().ToArray();
        Assert.Equal(9, blocks.Length); // ceil(320 / 37)
        var last = File.ReadAllBytes(blocks[^1]);
        File.WriteAllBytes(blocks[^1], last[..(last.Length - 5)]);
        File.Delete(blocks[3]);
        File.WriteAllBytes(blocks[4] + ".tmp", [1, 2, 3]);
        counting = new CountingEvaluator(ev);
        var repaired = BitFlipSweep.Run(target, counting, Options(j) with { Resume = true });
        Assert.Equal(37 + 320 - 8 * 37, counting.Calls);
        Assert.Equal(reference, Json(SweepSummary.From(repaired)));
        Assert.Empty(Directory.GetFiles(j, "*.tmp"));
    }

    [Fact]
    public void AForeignOrUnrequestedJournalIsRefused()
    {
        using var dir = new TempDirectory();
        var (target, ev) = Tiny();
        string j = dir.Sub("j");
        BitFlipSweep.Run(target, ev, Options(j, "30"));
        var notResumed = Assert.Throws<FlipGuardException>(() => BitFlipSweep.Run(target, ev, Options(j, "30")));
        Assert.Contains("--resume", notResumed.Message);
        var foreign = Assert.Throws<FlipGuardException>(() => BitFlipSweep.Run(target, ev, Options(j, "31") with { Resume = true }));
        Assert.Contains("different sweep", foreign.Message);
        Assert.Contains("bits", foreign.Message);
        Assert.DoesNotContain('\n', foreign.Message);
        var otherShard = Assert.Throws<FlipGuardException>(() => BitFlipSweep.Run(target, ev, Options(j, "30", new SweepShard(1, 2)) with { Resume = true }));
        Assert.Contains("shard", otherShard.Message);
    }

    [Fact]
    public void ThreeShardsMergeIntoTheSingleRunSummary()
    {
        using var dir = new TempDirectory();
        var (target, ev) = Tiny();
        var single = SweepSummary.From(BitFlipSweep.Run(target, ev, Options(dir.Sub("single"))));
        var parts = new List<string>();
        for (int k = 0; k < 3; k++)
        {
            string d = dir.Sub($"s{k}");
            var r = BitFlipSweep.Run(target, ev, Options(SweepJournal.PathIn(d), shard: new SweepShard(k, 3)));
            Assert.Equal(new SweepShard(k, 3).LocalCount(320), r.Evaluated);
            Assert.False(SweepSummary.From(r).Complete);
            parts.Add(d);
        }
        var merged = SweepSummary.From(SweepMerge.Merge(parts));
        Assert.Equal("3 of 3 merged", merged.Shards);
        Assert.Equal(Json(single), Json(merged with { Shards = single.Shards, Evaluator = single.Evaluator }));

        Assert.Contains("missing", Assert.Throws<FlipGuardException>(() => SweepMerge.Merge(parts.Take(2).ToList())).Message);
        Assert.Contains("also in", Assert.Throws<FlipGuardException>(() => SweepMerge.Merge([parts[0], parts[0], parts[1]])).Message);
        string other = dir.Sub("other");
        BitFlipSweep.Run(target, ev, Options(SweepJournal.PathIn(other), bits: "31", shard: new SweepShard(2, 3)));
        Assert.Contains("different sweep", Assert.Throws<FlipGuardException>(() => SweepMerge.Merge([parts[0], parts[1], other])).Message);
        File.Delete(Directory.GetFiles(SweepJournal.PathIn(parts[1]), "block-*.bin")[0]);
        Assert.Contains("incomplete", Assert.Throws<FlipGuardException>(() => SweepMerge.Merge(parts)).Message);
    }
}
