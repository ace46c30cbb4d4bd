using static TorchSharp.torch;

namespace FlipGuard.Models;

/// <summary>
/// Test accuracy, computed in chunks with gradients off and the model in evaluation mode, so memory stays
/// bounded whatever the evaluation-set size.
/// </summary>
public static class Evaluator
{
    /// <summary>Number of test samples classified correctly (first maximal logit wins; see <see cref="Predict"/>).</summary>
    public static long CountCorrect(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, int chunk = 1000)
    {
        bool wasTraining = model.training;
        model.eval();
        long correct = 0, n = images.shape[0];
        using (no_grad())
        {
            for (long start = 0; start < n; start += chunk)
            {
                using var scope = NewDisposeScope();
                long len = Math.Min(chunk, n - start);
                var logits = model.forward(images.narrow(0, start, len));
                correct += Predict(logits).eq(labels.narrow(0, start, len)).sum().item<long>();
            }
        }
        if (wasTraining) model.train();
        return correct;
    }

    /// <summary>Accuracy in [0, 1].</summary>
    public static double Accuracy(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, int chunk = 1000) =>
        images.shape[0] == 0 ? 0 : (double)CountCorrect(model, images, labels, chunk) / images.shape[0];

    /// <summary>
    /// The one prediction rule used everywhere: the class of the largest logit, the first one on ties, and a
    /// NaN counts as larger than any number (as <c>torch.argmax</c> does), so a row with NaN predicts its first NaN.
    /// </summary>
    public static Tensor Predict(Tensor logits) => logits.argmax(1);
}
