using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FlipGuard.Faults.Evaluation.CertifiedSkip;

/// <summary>
/// Runs the model as its "absolute" twin — |W| in linear and convolution layers, batch norm reduced to its |scale|,
/// shifts zeroed — to get certified bounds: fed nothing but a unit perturbation injected after one layer, its logits
/// bound how far that perturbation can move the real logits (ReLU, max-pooling and averaging cannot amplify a
/// perturbation, and residual sums add bounds); fed |x| with |shifts| restored, it bounds the magnitudes Σ|w·x| that
/// float32 rounding scales with. The parameters are restored bit for bit afterwards.
/// </summary>
internal static class AbsoluteNetwork
{
    /// <summary>Fills each layer's <see cref="LayerSensitivity.Gain"/> and returns, per sample, the logits' magnitude bound.</summary>
    public static double[] Measure(nn.Module<Tensor, Tensor> model, IReadOnlyList<LayerSensitivity> layers, Tensor images, int chunk)
    {
        var saved = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
        try
        {
            using var noGrad = no_grad();
            model.eval();
            Transform(model, keepShifts: false, saved);
            foreach (var layer in layers) MeasureGain(model, layer, images);
            Transform(model, keepShifts: true, saved);
            int n = (int)images.shape[0];
            var magnitude = new double[n];
            for (int start = 0; start < n; start += chunk)
            {
                using var scope = NewDisposeScope();
                int len = Math.Min(chunk, n - start);
                var bound = model.forward(images.narrow(0, start, len).abs()).amax(1).to_type(ScalarType.Float64);
                bound.data<double>().CopyTo(magnitude.AsSpan(start, len));
            }
            return magnitude;
        }
        finally
        {
            using var noGrad = no_grad();
            var state = model.state_dict();
            foreach (var (name, value) in saved)
            {
                state[name].copy_(value);
                value.Dispose();
            }
        }
    }

    private static void MeasureGain(nn.Module<Tensor, Tensor> model, LayerSensitivity layer, Tensor images)
    {
        using var scope = NewDisposeScope();
        int units = layer.Gain.Length;
        var identity = TorchSharp.torch.eye(units, dtype: images.dtype, device: images.device);
        var module = (nn.Module<Tensor, Tensor>)layer.Module;
        var hook = module.register_forward_hook((_, _, output) => output + (output.dim() == 4 ? identity.view(units, units, 1, 1) : identity));
        using var remover = new HookScope(hook.remove);
        var blank = TorchSharp.torch.zeros(new long[] { units, images.shape[1], images.shape[2], images.shape[3] }, dtype: images.dtype, device: images.device);
        var gains = model.forward(blank).amax(1).to_type(ScalarType.Float64).data<double>().ToArray();
        gains.CopyTo(layer.Gain, 0);
    }

    /// <summary>
    /// Sets every layer to its absolute form. Without <paramref name="keepShifts"/> biases and batch-norm shifts are
    /// zero (perturbation-only mode); with it they become |b| and |β − γ·μ/σ| (magnitude mode), computed from
    /// <paramref name="original"/>, the original state.
    /// </summary>
    private static void Transform(nn.Module model, bool keepShifts, Dictionary<string, Tensor> original)
    {
        foreach (var (name, module) in model.named_modules())
        {
            string prefix = name.Length == 0 ? "" : name + ".";
            Tensor Original(string p) => original[prefix + p];
            switch (module)
            {
                case Linear l:
                    l.weight!.copy_(Original("weight").abs());
                    if (l.bias is not null) l.bias.copy_(keepShifts ? Original("bias").abs() : zeros_like(l.bias));
                    break;
                case Conv2d c:
                    c.weight!.copy_(Original("weight").abs());
                    if (c.bias is not null) c.bias.copy_(keepShifts ? Original("bias").abs() : zeros_like(c.bias));
                    break;
                case BatchNorm2d b:
                    var gamma = Original("weight");
                    var shift = Original("bias") - gamma * Original("running_mean") / (Original("running_var") + b.eps).sqrt();
                    b.weight!.copy_(gamma.abs());
                    b.bias!.copy_(keepShifts ? shift.abs() : zeros_like(b.bias));
                    b.running_mean!.zero_();
                    break;
                default:
                    if (module.named_parameters(false).Any())
                        throw new InvalidOperationException($"no certified bound for layer type {module.GetType().Name}");
                    break;
            }
        }
    }

    private sealed class HookScope(Action remove) : IDisposable
    {
        public void Dispose() => remove();
    }
}
