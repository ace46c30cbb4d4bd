using FlipGuard.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FlipGuard.Faults.Evaluation.FullyConnected;

/// <summary>
/// A network that is, or ends in, a chain of fully connected layers with ReLU between them (<see cref="ReluChainStructure"/>),
/// with everything the fast sweep needs cached from one clean pass: each layer's input (the first one's is what the
/// network's prefix — a flatten, or convolutions — gives, computed by torch) and pre-activation per sample
/// (exactly as torch computed them, in the same 1000-sample chunks as the naive path), the magnitude sums Σ|w·x|
/// that bound rounding, clean predictions and margins, and each unit's worst-case gain to any logit.
/// </summary>
internal sealed class LinearChain
{
    private LinearChain(int samples, ReluChain structure)
    {
        var linears = structure.Linears;
        Structure = structure;
        Samples = samples;
        Layers = linears.Length;
        Linears = linears;
        Width = new int[Layers + 1];
        Width[0] = (int)linears[0].weight!.shape[1];
        for (int l = 1; l <= Layers; l++) Width[l] = (int)linears[l - 1].weight!.shape[0];
        Weights = linears.Select(m => m.weight!.detach().cpu().data<float>().ToArray()).ToArray();
        Biases = linears.Select(m => m.bias is null ? new float[m.weight!.shape[0]] : m.bias.detach().cpu().data<float>().ToArray()).ToArray();
        Inputs = new float[Layers][];
        Pre = new float[Layers][];
        Magnitude = new double[Layers][];
    }

    public int Samples { get; }
    public int Layers { get; }
    public Linear[] Linears { get; }
    /// <summary>Width[0] = input features; Width[l] = units of layer l (1-based).</summary>
    public int[] Width { get; }
    /// <summary>Weights[l-1]: layer l's weight, row-major [Width[l] × Width[l-1]].</summary>
    public float[][] Weights { get; }
    public float[][] Biases { get; }
    /// <summary>Inputs[l-1]: layer l's input per sample, [Samples × Width[l-1]].</summary>
    public float[][] Inputs { get; }
    /// <summary>Pre[l-1]: layer l's output before ReLU per sample, [Samples × Width[l]] (the last is the logits).</summary>
    public float[][] Pre { get; }
    /// <summary>Magnitude[l-1]: Σ|w·x| + |b| for each unit of layer l and sample.</summary>
    public double[][] Magnitude { get; }
    public int[] Labels { get; private set; } = [];
    public int[] Prediction { get; private set; } = [];
    public bool[] Correct { get; private set; } = [];
    /// <summary>Top logit minus the runner-up (0 when the clean logits hold a NaN or a tie).</summary>
    public double[] Margin { get; private set; } = [];
    /// <summary>Gain[l-1][i]: worst-case |Δ logit| per unit change of layer l's unit i (products of |W|).</summary>
    public double[][] Gain { get; private set; } = [];
    /// <summary>
    /// PairGain[l-1][(i·C + p)·C + c] for a hidden layer l: worst-case |Δ(logit p − logit c)| per unit change of unit i
    /// (Σ over paths of |W_top[p,·] − W_top[c,·]| · |W| …). Tighter than 2·Gain because both logits move together.
    /// </summary>
    public double[][] PairGain { get; private set; } = [];
    /// <summary>PairMax[l-1][i] = max over class pairs of PairGain (the sample-independent part of the first filter).</summary>
    public double[][] PairMax { get; private set; } = [];

    /// <summary>
    /// Recognises the chain at the end of <paramref name="model"/> (<see cref="ReluChainStructure"/>) and caches it, or
    /// returns null when the model ends in something else or its prefix does not give one row of the first layer's
    /// width per image.
    /// </summary>
    public static LinearChain? TryCreate(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, int chunk)
    {
        if (ReluChainStructure.Recognise(model) is not { } structure) return null;
        var chain = new LinearChain((int)images.shape[0], structure);
        return chain.Fill(model, images, labels, chunk) ? chain : null;
    }

    /// <summary>What runs before the chain (empty or a flatten when the chain is the whole network).</summary>
    public ReluChain Structure { get; }

    private bool Fill(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, int chunk)
    {
        int n = Samples;
        for (int l = 1; l <= Layers; l++)
        {
            Inputs[l - 1] = new float[n * Width[l - 1]];
            Pre[l - 1] = new float[n * Width[l]];
            Magnitude[l - 1] = new double[n * Width[l]];
        }
        model.eval();
        using (no_grad())
        {
            for (int start = 0; start < n; start += chunk)
            {
                using var scope = NewDisposeScope();
                int len = Math.Min(chunk, n - start);
                var batch = images.narrow(0, start, len);
                // The first layer's input as the model's forward computes it, on the naive path's chunks.
                var x = Structure.Features(batch);
                if (x.dim() != 2 || x.shape[1] != Width[0] || x.dtype != ScalarType.Float32) return false;
                var logits = model.forward(batch);
                for (int l = 1; l <= Layers; l++)
                {
                    var linear = Linears[l - 1];
                    var p = linear.forward(x);
                    x.contiguous().data<float>().CopyTo(Inputs[l - 1].AsSpan(start * Width[l - 1], len * Width[l - 1]));
                    p.contiguous().data<float>().CopyTo(Pre[l - 1].AsSpan(start * Width[l], len * Width[l]));
                    var mag = x.abs().to_type(ScalarType.Float64).matmul(linear.weight!.abs().to_type(ScalarType.Float64).t());
                    if (linear.bias is not null) mag = mag + linear.bias.abs().to_type(ScalarType.Float64);
                    mag.contiguous().data<double>().CopyTo(Magnitude[l - 1].AsSpan(start * Width[l], len * Width[l]));
                    x = l < Layers ? nn.functional.relu(p) : p;
                }
                if (!x.equal(logits).all().item<bool>())
                    throw new InvalidOperationException("the layer-by-layer forward differs from the model's forward; the fast sweep does not apply");
            }
        }
        Labels = labels.to_type(ScalarType.Int32).data<int>().ToArray();
        FillPredictions();
        FillGains();
        FillPairGains();
        return true;
    }

    private void FillPairGains()
    {
        int classes = Width[Layers], pairs = classes * classes;
        PairGain = new double[Layers][];
        PairMax = new double[Layers][];
        PairGain[Layers - 1] = [];
        PairMax[Layers - 1] = Enumerable.Repeat(2.0, classes).ToArray();
        for (int l = Layers - 1; l >= 1; l--)
        {
            int units = Width[l], above = Width[l + 1];
            var w = Weights[l]; // layer l+1: [above × units]
            var g = new double[units * pairs];
            for (int i = 0; i < units; i++)
                for (int k = 0; k < above; k++)
                {
                    if (l == Layers - 1)
                    {
                        if (k > 0) break;
                        for (int p = 0; p < classes; p++)
                            for (int c = 0; c < classes; c++)
                                g[(i * classes + p) * classes + c] = Math.Abs((double)w[p * units + i] - w[c * units + i]);
                        continue;
                    }
                    double a = Math.Abs(w[k * units + i]);
                    if (a == 0) continue;
                    var upper = PairGain[l].AsSpan(k * pairs, pairs);
                    var own = g.AsSpan(i * pairs, pairs);
                    for (int q = 0; q < pairs; q++) own[q] += a * upper[q];
                }
            PairGain[l - 1] = g;
            var max = new double[units];
            for (int i = 0; i < units; i++) max[i] = g.AsSpan(i * pairs, pairs).ToArray().Max();
            PairMax[l - 1] = max;
        }
    }

    private void FillPredictions()
    {
        (Prediction, Correct, Margin) = CleanMargins.Compute(Pre[Layers - 1], Labels, Width[Layers]);
    }

    private void FillGains()
    {
        Gain = new double[Layers][];
        // G = I at the logits; G_{l} = G_{l+1} · |W_{l+1}|  (ReLU is 1-Lipschitz).
        int classes = Width[Layers];
        var g = new double[classes * classes];
        for (int c = 0; c < classes; c++) g[c * classes + c] = 1;
        int cols = classes;
        for (int l = Layers; l >= 1; l--)
        {
            var gain = new double[Width[l]];
            for (int i = 0; i < Width[l]; i++)
            {
                double max = 0;
                for (int c = 0; c < classes; c++) max = Math.Max(max, g[c * cols + i]);
                gain[i] = max;
            }
            Gain[l - 1] = gain;
            if (l == 1) break;
            int inW = Width[l - 1];
            var next = new double[classes * inW];
            var w = Weights[l - 1];
            for (int c = 0; c < classes; c++)
                for (int i = 0; i < Width[l]; i++)
                {
                    double gc = g[c * cols + i];
                    if (gc == 0) continue;
                    for (int j = 0; j < inW; j++) next[c * inW + j] += gc * Math.Abs(w[i * inW + j]);
                }
            g = next;
            cols = inW;
        }
    }

    /// <summary>The prediction rule of <see cref="Evaluator.Predict"/> on one row: first maximum, NaN beats everything.</summary>
    public static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int c = 1; c < row.Length; c++)
        {
            if (float.IsNaN(row[best])) return best;
            if (float.IsNaN(row[c]) || row[c] > row[best]) best = c;
        }
        return best;
    }
}
