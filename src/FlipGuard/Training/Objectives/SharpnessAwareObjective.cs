using FlipGuard.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace FlipGuard.Training.Objectives;

/// <summary>
/// Sharpness-aware minimisation (Foret et al., ICLR 2021): take the gradient at the worst point of an L2 ball of
/// radius ρ, w + ρ·g/‖g‖, and apply it at w. A flatness method made for generalisation — the source paper's
/// baseline that does not improve bit-flip resilience, kept so users can check that claim.
/// </summary>
public sealed class SharpnessAwareObjective : IStepObjective
{
    private readonly double rho;

    /// <summary>Creates SAM with neighbourhood radius <paramref name="rho"/>.</summary>
    public SharpnessAwareObjective(double rho)
    {
        if (!(rho > 0)) throw new FlipGuardException($"--rho must be positive, got {rho}");
        this.rho = rho;
    }

    /// <inheritdoc />
    public string Name => "sam";

    /// <inheritdoc />
    public StepValues Backward(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, long step)
    {
        var parameters = model.parameters().Where(p => p.requires_grad).ToArray();
        var loss = nn.functional.cross_entropy(model.forward(images), labels);
        loss.backward();
        var original = new Tensor[parameters.Length];
        using (no_grad())
        {
            var norm = stack(parameters.Select(p => p.grad is null ? zeros(1, device: p.device).squeeze() : p.grad.norm()).ToArray()).norm();
            var scale = rho / (norm.ToDouble() + 1e-12);
            for (int i = 0; i < parameters.Length; i++)
            {
                original[i] = parameters[i].detach().clone();
                if (parameters[i].grad is null) continue;
                parameters[i].add_(parameters[i].grad!, alpha: scale);
                parameters[i].grad!.zero_();
            }
        }
        var sharp = nn.functional.cross_entropy(model.forward(images), labels);
        sharp.backward();
        using (no_grad())
            for (int i = 0; i < parameters.Length; i++) parameters[i].copy_(original[i]); // exact restore: w + ε − ε ≠ w in floating point
        return new StepValues(loss.ToDouble(), sharp.ToDouble() - loss.ToDouble());
    }
}
