using System.Numerics;

namespace BnNative.Demo;

/// <summary>Softmax cross-entropy over logits [B, K] with integer labels, computed stably (max subtracted) in double.</summary>
internal static class SoftmaxCrossEntropy
{
    /// <summary>
    /// Σ over the rows of −log softmax(z)[label] (a sum: the caller divides by the global batch size), the number of
    /// rows whose arg-max is the label, and dz = (softmax − onehot)·<paramref name="gradientScale"/> in
    /// <paramref name="logitGradient"/>.
    /// </summary>
    public static (double LossSum, int Correct) Evaluate<T>(
        T[] logits, int rows, int classes, ReadOnlySpan<int> labels, double gradientScale, T[]? logitGradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double loss = 0;
        int correct = 0;
        Span<double> p = stackalloc double[classes];
        for (int i = 0; i < rows; i++)
        {
            var row = logits.AsSpan(i * classes, classes);
            double max = double.NegativeInfinity;
            int best = 0;
            for (int k = 0; k < classes; k++)
            {
                double z = double.CreateTruncating(row[k]);
                if (z > max)
                {
                    max = z;
                    best = k;
                }
            }

            double sum = 0;
            for (int k = 0; k < classes; k++)
            {
                p[k] = Math.Exp(double.CreateTruncating(row[k]) - max);
                sum += p[k];
            }

            int label = labels[i];
            loss += Math.Log(sum) - (double.CreateTruncating(row[label]) - max);
            correct += best == label ? 1 : 0;
            if (logitGradient is not null)
            {
                for (int k = 0; k < classes; k++)
                {
                    double probability = p[k] / sum;
                    logitGradient[(i * classes) + k] = T.CreateTruncating((probability - (k == label ? 1 : 0)) * gradientScale);
                }
            }
        }

        return (loss, correct);
    }

    /// <summary>The arg-max class of every row.</summary>
    public static int[] Predict<T>(T[] logits, int rows, int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var result = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            var row = logits.AsSpan(i * classes, classes);
            int best = 0;
            for (int k = 1; k < classes; k++)
            {
                if (row[k] > row[best])
                {
                    best = k;
                }
            }

            result[i] = best;
        }

        return result;
    }
}
