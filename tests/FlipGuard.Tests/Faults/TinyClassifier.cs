using FlipGuard.Faults.Evaluation;
using FlipGuard.Faults.Targets;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FlipGuard.Tests.Faults;

/// <summary>A float32 8-6-4 network whose labels are mostly its own predictions, so clean accuracy is high and flips can hurt.</summary>
internal sealed class TinyClassifier : nn.Module<Tensor, Tensor>
{
    private readonly Linear l1, l2;

    public TinyClassifier() : base("tinyclf")
    {
        l1 = nn.Linear(8, 6);
        l2 = nn.Linear(6, 4);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => l2.forward(nn.functional.relu(l1.forward(x)));

    public static (TinyClassifier Model, Tensor Images, Tensor Labels) Create(long seed = 3, int samples = 64)
    {
        var model = SeededConstruction.Create(seed, () => new TinyClassifier());
        using var g = new Generator((ulong)seed);
        var x = randn(new long[] { samples, 8 }, generator: g).DetachFromDisposeScope();
        Tensor y;
        using (no_grad()) y = model.forward(x).argmax(1).DetachFromDisposeScope();
        // Make a few labels wrong so that some flips can also improve accuracy.
        y[0] = (y[0] + 1) % 4;
        y[1] = (y[1] + 2) % 4;
        return (model, x, y);
    }
}

/// <summary>An evaluator wrapper counting how many changes it was asked to evaluate.</summary>
internal sealed class CountingEvaluator(IFlipEvaluator inner) : IFlipEvaluator
{
    public long Calls { get; private set; }
    public int Samples => inner.Samples;
    public long CleanCorrect => inner.CleanCorrect;
    public void Evaluate(ReadOnlySpan<ParameterChange> changes, Span<long> correct)
    {
        Calls += changes.Length;
        inner.Evaluate(changes, correct);
    }
    public void Dispose() => inner.Dispose();
}
