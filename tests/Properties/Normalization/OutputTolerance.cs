using System.Globalization;
using BnNative.Moments;

namespace BnNative.Tests.Properties.Normalization;

/// <summary>
/// How far a normalized element may be from <see cref="ReferenceBatchNorm"/>. SPEC §4 evaluates
/// y = (x − m_c)·a_c + beta_c with a_c = gamma_c/sqrt(v_c + eps), the mean subtracted first, so for an element at
/// distance |x − m_c| from the mean:
/// <list type="bullet">
/// <item><description>statistics off by Δm_c and Δv_c (training only: the backend's moments, <see cref="MomentErrors"/>) move y by
/// |a_c|·(Δm_c + |x − m_c|·Δv_c/(2(v_c + eps)));</description></item>
/// <item><description>the element-wise pass rounds a handful of times in the element type (x − m_hi, − m_lo, ·a, + beta,
/// and a_c itself), each time by at most u of |a_c·(x − m_c)| + |beta_c|; 8u covers those and the reference's own
/// double rounding.</description></item>
/// </list>
/// On the generated data the float backends' statistics term dominates, so this bound does not tell a kernel that
/// folds to a_c·x + b_c from one that subtracts first; TrainingOutputProperties.Float32OutputNearTenThousandIsAccurate does.
/// Over all backends the largest error seen used 8% of the bound.
/// </summary>
public sealed class OutputTolerance
{
    private readonly NormalizationCase _step;
    private readonly double[] _center;
    private readonly double[] _scale;
    private readonly double[] _meanError;
    private readonly double[] _relativeVarianceError;

    private OutputTolerance(NormalizationCase step, double[] center, double[] variance, double[] meanError, double[] varianceError)
    {
        _step = step;
        _center = center;
        var gamma = step.EffectiveGamma;
        _scale = variance.Select((v, c) => Math.Abs(gamma[c]) / Math.Sqrt(v + step.Epsilon)).ToArray();
        _meanError = meanError;
        _relativeVarianceError = varianceError.Select((e, c) => e / (2 * (variance[c] + step.Epsilon))).ToArray();
    }

    /// <summary>Training mode: batch statistics from a backend whose moments are within <paramref name="moments"/>.</summary>
    public static OutputTolerance Training(NormalizationCase step, Tolerance moments)
    {
        var statistics = step.Tensor.Statistics();
        var (meanError, varianceError) = MomentErrors(statistics, moments);
        return new OutputTolerance(step, statistics.Mean, statistics.Variance, meanError, varianceError);
    }

    /// <summary>
    /// How far a backend's per-channel mean and biased variance may be from <paramref name="statistics"/>, as
    /// <see cref="Tolerance"/> documents it: |Δmean| ≤ 2a·D + δ, |Δvariance| ≤ 16a·variance + δ·(2D + δ), δ = d·A.
    /// </summary>
    public static (double[] Mean, double[] Variance) MomentErrors(ChannelStatistics statistics, Tolerance moments)
    {
        var mean = new double[statistics.Channels];
        var variance = new double[statistics.Channels];
        for (int c = 0; c < statistics.Channels; c++)
        {
            double delta = moments.Rounding * statistics.MaxAbs[c];
            mean[c] = (2 * moments.Accumulation * statistics.MaxDeviation[c]) + delta;
            variance[c] = (ShiftedSumsBackend.MaxAmplification * moments.Accumulation * statistics.Variance[c])
                + (delta * ((2 * statistics.MaxDeviation[c]) + delta));
        }

        return (mean, variance);
    }

    /// <summary>Inference mode: the state's moving statistics, exact.</summary>
    public static OutputTolerance Inference(NormalizationCase step) =>
        new(step, step.MovingMean, step.MovingVariance, new double[step.Channels], new double[step.Channels]);

    /// <summary>The bound for the element at row-major <paramref name="position"/>.</summary>
    public double At(int position)
    {
        int c = _step.Index.At(position);
        double distance = Math.Abs(_step.Tensor.Values[position] - _center[c]);
        double statistics = _scale[c] * (_meanError[c] + (distance * _relativeVarianceError[c]));
        double rounding = 8 * _step.UnitRoundoff * ((_scale[c] * distance) + Math.Abs(_step.EffectiveBeta[c]));
        return statistics + rounding;
    }

    /// <summary>The largest bound over the elements of each channel.</summary>
    public double[] PerChannel()
    {
        var bound = new double[_step.Channels];
        for (int i = 0; i < _step.Tensor.Values.Length; i++)
        {
            int c = _step.Index.At(i);
            bound[c] = Math.Max(bound[c], At(i));
        }

        return bound;
    }

    /// <summary>Asserts every element of <paramref name="actual"/> is within <paramref name="factor"/> bounds of <paramref name="expected"/>.</summary>
    public void AssertClose(double[] expected, double[] actual, double factor = 1)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double bound = factor * At(i);
            Assert.True(
                Math.Abs(actual[i] - expected[i]) <= bound,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"y at row-major {i} (channel {_step.Index.At(i)}, x = {_step.Tensor.Values[i]:R}) = {actual[i]:R}, expected {expected[i]:R} ± {bound:R} (off by {Math.Abs(actual[i] - expected[i]):R})."));
        }
    }
}
