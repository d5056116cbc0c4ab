namespace BnNative.Testing;

/// <summary>
/// The double-precision reference for batch normalization: plain loops over the logical row-major positions, written
/// from the formulas and nothing else of BnNative, with the batch statistics from MathNet.Numerics
/// (<see cref="ChannelStatistics"/>). Per channel c, with σ_c = sqrt(v_c + eps) and x̂ = (x − m_c)/σ_c:
/// <list type="bullet">
/// <item><description>forward: y = (x − m_c)/σ_c·gamma_c + beta_c, with the batch mean and biased batch variance in
/// training (<see cref="Train"/>) and the moving statistics in inference (<see cref="Infer"/>);</description></item>
/// <item><description>backward in training (<see cref="Backward"/>): dx = gamma_c/σ_c·(dy − mean_c(dy) − x̂·mean_c(dy·x̂)),
/// dgamma_c = Σ dy·x̂, dbeta_c = Σ dy;</description></item>
/// <item><description>backward in inference (<see cref="BackwardInference"/>): dx = gamma_c/σ_c·dy with the moving
/// statistics, dgamma and dbeta as in training.</description></item>
/// </list>
/// gamma is 1 when the case's Scale is off and beta 0 when its Center is off; their gradients are then null. NaN and ±∞
/// in the input propagate. The reference is exact to double rounding; <see cref="OutputTolerance"/> says how far the
/// library may be from it.
/// </summary>
public static class ReferenceBatchNorm
{
    /// <summary>
    /// y = (x − mean_c)/sqrt(variance_c + <paramref name="epsilon"/>)·gamma_c + beta_c for every element of
    /// <paramref name="x"/>, in logical row-major order.
    /// </summary>
    /// <param name="x">The input (only its lengths, channel axis and values are used).</param>
    /// <param name="mean">Per-channel mean.</param>
    /// <param name="variance">Per-channel variance.</param>
    /// <param name="gamma">Per-channel scale.</param>
    /// <param name="beta">Per-channel offset.</param>
    /// <param name="epsilon">Added to the variance, finite and ≥ 0.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">A per-channel list does not hold one entry per channel of <paramref name="x"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epsilon"/> is negative, infinite or NaN.</exception>
    public static double[] Normalize(
        TensorCase x, IReadOnlyList<double> mean, IReadOnlyList<double> variance, IReadOnlyList<double> gamma, IReadOnlyList<double> beta, double epsilon)
    {
        ArgumentNullException.ThrowIfNull(x);
        int channels = x.Channels;
        ArgumentChecks.PerChannel(channels, nameof(x), mean, variance, gamma, beta);
        ArgumentChecks.NonNegativeFinite(epsilon);
        var values = x.Values;
        var index = x.Index;
        var y = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            int c = index.At(i);
            y[i] = ((values[i] - mean[c]) / Math.Sqrt(variance[c] + epsilon) * gamma[c]) + beta[c];
        }

        return y;
    }

    /// <summary>Training mode: <see cref="Normalize"/> with the batch mean and biased batch variance of the case's input.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="step"/> is null.</exception>
    public static double[] Train(NormalizationCase step)
    {
        ArgumentNullException.ThrowIfNull(step);
        var statistics = step.Tensor.Statistics();
        return Normalize(step.Tensor, statistics.Mean, statistics.Variance, step.EffectiveGamma, step.EffectiveBeta, step.Epsilon);
    }

    /// <summary>Inference mode: <see cref="Normalize"/> with the state's moving mean and moving variance.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="step"/> is null.</exception>
    public static double[] Infer(NormalizationCase step)
    {
        ArgumentNullException.ThrowIfNull(step);
        return Normalize(step.Tensor, step.MovingMean, step.MovingVariance, step.EffectiveGamma, step.EffectiveBeta, step.Epsilon);
    }

    /// <summary>
    /// The gradients of a training step for the upstream gradient <paramref name="dy"/> (row-major, the input's shape):
    /// dx = gamma_c/σ_c·(dy − mean_c(dy) − x̂·mean_c(dy·x̂)), dgamma_c = Σ dy·x̂, dbeta_c = Σ dy, with the batch statistics.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="dy"/> does not hold one value per element of the input.</exception>
    public static ReferenceGradients Backward(NormalizationCase step, IReadOnlyList<double> dy)
    {
        ArgumentNullException.ThrowIfNull(step);
        var statistics = step.Tensor.Statistics();
        return Gradients(step, dy, statistics.Mean, statistics.Variance, training: true);
    }

    /// <summary>
    /// The gradients of an inference step for <paramref name="dy"/>: the statistics are the state's constants, so
    /// dx = gamma_c/σ_c·dy; dgamma_c = Σ dy·x̂ and dbeta_c = Σ dy with x̂ from the moving statistics.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="dy"/> does not hold one value per element of the input.</exception>
    public static ReferenceGradients BackwardInference(NormalizationCase step, IReadOnlyList<double> dy)
    {
        ArgumentNullException.ThrowIfNull(step);
        return Gradients(step, dy, step.MovingMean, step.MovingVariance, training: false);
    }

    private static ReferenceGradients Gradients(
        NormalizationCase step, IReadOnlyList<double> dy, IReadOnlyList<double> mean, IReadOnlyList<double> variance, bool training)
    {
        var x = step.Tensor.Values;
        ArgumentChecks.Length(dy, x.Length, "one per element of the input");
        var index = step.Index;
        int channels = step.Channels;
        var gamma = step.EffectiveGamma;
        var spread = new double[channels];
        for (int c = 0; c < channels; c++)
        {
            spread[c] = Math.Sqrt(variance[c] + step.Epsilon);
        }

        var xhat = new double[x.Length];
        var sumDy = new double[channels];
        var sumDyXhat = new double[channels];
        for (int i = 0; i < x.Length; i++)
        {
            int c = index.At(i);
            xhat[i] = (x[i] - mean[c]) / spread[c];
            sumDy[c] += dy[i];
            sumDyXhat[c] += dy[i] * xhat[i];
        }

        double n = step.Tensor.CountPerChannel;
        var dx = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            int c = index.At(i);
            double centered = training ? dy[i] - (sumDy[c] / n) - (xhat[i] * sumDyXhat[c] / n) : dy[i];
            dx[i] = gamma[c] / spread[c] * centered;
        }

        return new ReferenceGradients(dx, step.Scale ? sumDyXhat : null, step.Center ? sumDy : null);
    }
}
