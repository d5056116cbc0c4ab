namespace BnNative.Tests.Properties.Normalization;

/// <summary>
/// The independent oracle for the forward pass (SPEC §4): plain double-precision loops over the logical row-major
/// positions, y = (x − m_c)/sqrt(v_c + eps)·gamma_c + beta_c, with the batch statistics from MathNet.Numerics
/// (<see cref="ChannelStatistics"/>) in training and the state's moving statistics in inference.
/// </summary>
public static class ReferenceBatchNorm
{
    /// <summary>Training mode: the batch mean and biased batch variance of the case's values.</summary>
    public static double[] Train(NormalizationCase step)
    {
        var statistics = step.Tensor.Statistics();
        return Normalize(step, statistics.Mean, statistics.Variance);
    }

    /// <summary>Inference mode: the state's moving mean and moving variance.</summary>
    public static double[] Infer(NormalizationCase step) => Normalize(step, step.MovingMean, step.MovingVariance);

    private static double[] Normalize(NormalizationCase step, double[] mean, double[] variance)
    {
        var x = step.Tensor.Values;
        var index = step.Index;
        var gamma = step.EffectiveGamma;
        var beta = step.EffectiveBeta;
        var y = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            int c = index.At(i);
            y[i] = ((x[i] - mean[c]) / Math.Sqrt(variance[c] + step.Epsilon) * gamma[c]) + beta[c];
        }

        return y;
    }
}
