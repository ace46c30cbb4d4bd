using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FlipGuard.Faults.Evaluation.CertifiedSkip;

/// <summary>
/// For one flippable tensor, the two ingredients of a certified bound on how far a change Δ of one of its entries can
/// move any logit: per sample, the largest input magnitude that entry multiplies (<see cref="Features"/>, [samples ×
/// features]), and per output unit or channel, the worst-case ℓ∞ gain from that unit to the logits (<see cref="Gain"/>).
/// The bound is then Gain[unit] · |Δ| · Features[sample, feature].
/// </summary>
internal sealed class LayerSensitivity
{
    public LayerSensitivity(string kind, nn.Module module, int units, int featureCount, int samples)
    {
        Kind = kind;
        Module = module;
        Gain = new double[units];
        FeatureCount = featureCount;
        Features = new float[samples * featureCount];
    }

    /// <summary>linear, conv, batchnorm.</summary>
    public string Kind { get; }
    public nn.Module Module { get; }
    public double[] Gain { get; }
    public int FeatureCount { get; }
    public float[] Features { get; }

    /// <summary>Output unit/channel and input feature an entry of the module's weight (or bias) multiplies; feature −1 means a constant 1.</summary>
    public (int Unit, int Feature) Locate(bool isBias, long index) => Kind switch
    {
        _ when isBias => ((int)index, -1),
        "batchnorm" => ((int)index, (int)index),
        _ => ((int)(index / FeatureCount), (int)(index % FeatureCount)),
    };

    /// <summary>Stores, for chunk rows starting at <paramref name="start"/>, the per-sample magnitudes from the module's input.</summary>
    public void Capture(Tensor input, int start)
    {
        using var scope = NewDisposeScope();
        Tensor features;
        switch (Module)
        {
            case Linear:
                features = input.flatten(1).abs();
                break;
            case Conv2d conv:
                features = ConvFeatures(conv, input);
                break;
            case BatchNorm2d bn:
                var normalized = (input - bn.running_mean!.view(1, -1, 1, 1)) / (bn.running_var!.view(1, -1, 1, 1) + bn.eps).sqrt();
                features = normalized.abs().amax(new long[] { 2, 3 });
                break;
            default:
                throw new InvalidOperationException("unsupported layer");
        }
        int len = (int)input.shape[0];
        features.to_type(ScalarType.Float32).contiguous().data<float>().CopyTo(Features.AsSpan(start * FeatureCount, len * FeatureCount));
    }

    /// <summary>For weight K[o,c,u,v]: max over output positions of |input[c, position·stride + (u,v)·dilation − padding]|.</summary>
    private static Tensor ConvFeatures(Conv2d conv, Tensor input)
    {
        long kh = conv.weight!.shape[2], kw = conv.weight.shape[3];
        long oh = (input.shape[2] + 2 * Padding(conv, 0) - conv.dilation![0] * (kh - 1) - 1) / conv.stride![0] + 1;
        long ow = (input.shape[3] + 2 * Padding(conv, 1) - conv.dilation[1] * (kw - 1) - 1) / conv.stride[1] + 1;
        var padded = nn.functional.pad(input.abs(), new long[] { Padding(conv, 1), Padding(conv, 1), Padding(conv, 0), Padding(conv, 0) });
        var parts = new List<Tensor>();
        for (long u = 0; u < kh; u++)
            for (long v = 0; v < kw; v++)
            {
                long r0 = u * conv.dilation[0], c0 = v * conv.dilation[1];
                var window = padded[.., .., TensorIndex.Slice(r0, r0 + (oh - 1) * conv.stride[0] + 1, conv.stride[0]), TensorIndex.Slice(c0, c0 + (ow - 1) * conv.stride[1] + 1, conv.stride[1])];
                parts.Add(window.amax(new long[] { 2, 3 })); // [N, C]
            }
        // Layout [N, C, kh·kw] flattened, matching the weight's [O, C, kh, kw] order.
        return stack(parts, 2).flatten(1);
    }

    private static long Padding(Conv2d conv, int dim) => conv.padding is { } p ? p[dim] : 0;
}
