using FlipGuard.Faults.Evaluation.FullyConnected;

namespace FlipGuard.Faults.Evaluation;

/// <summary>
/// Clean predictions, correctness and margins (top logit minus runner-up) from logits laid out [samples × classes]:
/// the starting point of every certified skip. A row holding a NaN or ±∞ gets margin 0, so no bound ever skips it.
/// </summary>
internal static class CleanMargins
{
    public static (int[] Prediction, bool[] Correct, double[] Margin) Compute(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, int classes)
    {
        int n = labels.Length;
        var prediction = new int[n];
        var correct = new bool[n];
        var margin = new double[n];
        for (int s = 0; s < n; s++)
        {
            var row = logits.Slice(s * classes, classes);
            int p = LinearChain.ArgMax(row);
            prediction[s] = p;
            correct[s] = p == labels[s];
            double second = double.NegativeInfinity;
            bool finite = true;
            for (int c = 0; c < classes; c++)
            {
                finite &= float.IsFinite(row[c]);
                if (c != p) second = Math.Max(second, row[c]);
            }
            margin[s] = finite ? row[p] - second : 0;
        }
        return (prediction, correct, margin);
    }
}
