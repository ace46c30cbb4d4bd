using TorchSharp;
using static TorchSharp.torch;

namespace FlipGuard.Training.Objectives;

/// <summary>Plain training: mean cross-entropy, nothing else.</summary>
public sealed class CrossEntropyObjective : IStepObjective
{
    /// <inheritdoc />
    public string Name => "none";

    /// <inheritdoc />
    public StepValues Backward(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, long step)
    {
        var loss = nn.functional.cross_entropy(model.forward(images), labels);
        loss.backward();
        return new StepValues(loss.ToDouble(), null);
    }
}
