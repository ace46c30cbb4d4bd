using static TorchSharp.torch;

namespace FlipGuard.Training.Objectives;

/// <summary>
/// What one optimisation step minimises: it computes the loss on a batch and leaves the gradients in the
/// parameters' <c>.grad</c>, ready for the optimiser. Plain cross-entropy, Hessian-aware penalties and SAM
/// differ only here, so the training loop stays one loop.
/// </summary>
public interface IStepObjective
{
    /// <summary>Short name for logs (<c>none</c>, <c>trace</c>, <c>top-eig</c>, <c>sam</c>).</summary>
    string Name { get; }

    /// <summary>Computes the batch loss and gradients for global step <paramref name="step"/> (0-based).</summary>
    StepValues Backward(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, long step);
}

/// <summary>The cross-entropy of a step and, when the objective added one this step, the regulariser's value.</summary>
public readonly record struct StepValues(double Loss, double? Regularizer);
