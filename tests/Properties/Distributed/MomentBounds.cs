using System.Numerics;
using BnNative.Collections;
using BnNative.Moments;
using BnNative.Normalization;
using BnNative.Tests.Properties.Normalization;
using static BnNative.Tests.Properties.Normalization.NormalizationAssert;

namespace BnNative.Tests.Properties.Distributed;

/// <summary>
/// Per-channel bounds on how far two computations of a batch's mean and biased variance may be apart, and what that
/// implies for two steps that normalize with them: the moving statistics, the output and the gradients. Ghost batch
/// norm with all chunks feeding the EMA and synchronized batch norm both merge the moments of parts of the batch (Chan,
/// SPEC §3) where plain batch norm computes those of the whole at once, so the two agree only to rounding.
/// </summary>
/// <remarks>
/// The bounds are first order in the moments' errors (they are below 1e-4 relative on every generated case).
/// Notation per channel: m and v the exact mean and biased variance of the whole batch, σ = sqrt(v + eps), Δm and Δv
/// the bounds, u the unit roundoff of the element type.
/// </remarks>
/// <param name="Mean">Per-channel bound of the mean's difference.</param>
/// <param name="Variance">Per-channel bound of the biased variance's difference.</param>
public sealed record MomentBounds(double[] Mean, double[] Variance)
{
    /// <summary>
    /// Float against double gradients of two steps, relative to the gradient's scale: BackwardProperties' FloatError
    /// (1e-5, float partial sums of at most 64 terms per lane plus a few float roundings) for each of the two.
    /// </summary>
    private const double FloatGradientError = 2e-5;

    /// <summary>A backend's moments of <paramref name="tensor"/> against the exact ones (<see cref="MomentTolerance.For"/>, <see cref="MomentTolerance.Bounds"/>).</summary>
    public static MomentBounds Of(TensorCase tensor) =>
        From(MomentTolerance.For(tensor).Bounds(tensor.Statistics()));

    /// <summary>A plain double-precision two-pass loop's moments of <paramref name="tensor"/> against the exact ones (<see cref="MomentTolerance.Double"/>).</summary>
    public static MomentBounds DoubleLoop(TensorCase tensor) =>
        From(MomentTolerance.Double(tensor.CountPerChannel).Bounds(tensor.Statistics()));

    /// <summary>
    /// The moments of the non-empty <paramref name="parts"/> of <paramref name="tensor"/>, each computed by a backend
    /// (within <see cref="Of"/> of the part's exact moments) and merged with Chan's formula, against the exact moments of
    /// the whole. With weights w_k = n_k/n, part means m_k off by at most e_k and the merged mean off by at most
    /// E = Σ w_k·e_k (+ the merge's rounding): the merged variance Σ w_k·v_k + Σ w_k·(m_k − m)² is off by at most
    /// Σ w_k·(Δv_k + (e_k + E)·(2|m_k − m| + e_k + E)), plus the merge's rounding, n·2⁻⁴⁹ of A = max|x| for the mean and of
    /// v + D² (D = max|x − m|) for the variance.
    /// </summary>
    public static MomentBounds Merged(TensorCase tensor, IEnumerable<BatchPart> parts)
    {
        var whole = tensor.Statistics();
        double rounding = MomentTolerance.DoubleRounding(tensor.CountPerChannel);
        var filled = parts.Where(part => part.Length > 0).Select(part => part.Of(tensor)).ToArray();
        var statistics = filled.Select(part => part.Statistics()).ToArray();
        var bounds = filled.Select(Of).ToArray();
        var mean = new double[whole.Channels];
        var variance = new double[whole.Channels];
        for (int c = 0; c < whole.Channels; c++)
        {
            mean[c] = rounding * whole.MaxAbs[c];
            for (int k = 0; k < filled.Length; k++)
            {
                mean[c] += Weight(k) * bounds[k].Mean[c];
            }

            variance[c] = rounding * (whole.Variance[c] + (whole.MaxDeviation[c] * whole.MaxDeviation[c]));
            for (int k = 0; k < filled.Length; k++)
            {
                double e = bounds[k].Mean[c] + mean[c];
                variance[c] += Weight(k) * (bounds[k].Variance[c] + (e * ((2 * Math.Abs(statistics[k].Mean[c] - whole.Mean[c])) + e)));
            }
        }

        return new MomentBounds(mean, variance);

        double Weight(int k) => statistics[k].Count / (double)whole.Count;
    }

    /// <summary>The bounds of an average of quantities, each within its own bounds: the average of the bounds.</summary>
    public static MomentBounds Average(IReadOnlyList<MomentBounds> bounds)
    {
        int channels = bounds[0].Mean.Length;
        return new MomentBounds(
            Enumerable.Range(0, channels).Select(c => bounds.Average(b => b.Mean[c])).ToArray(),
            Enumerable.Range(0, channels).Select(c => bounds.Average(b => b.Variance[c])).ToArray());
    }

    /// <summary>n/(n − 1) when <paramref name="config"/> feeds the unbiased variance to the EMA (n elements per channel), else 1.</summary>
    public static double Unbiasing(BatchNormConfig config, int rank, long count) =>
        config.MovingVarianceFor(rank) == VarianceEstimator.Unbiased ? count / (count - 1.0) : 1;

    /// <summary>Both differences: the bounds add.</summary>
    public MomentBounds Plus(MomentBounds other) =>
        new(Mean.Zip(other.Mean, (a, b) => a + b).ToArray(), Variance.Zip(other.Variance, (a, b) => a + b).ToArray());

    /// <summary>Same count; mean and biased variance within the bounds.</summary>
    public void AssertClose(BatchMoments expected, BatchMoments actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected.Channels, actual.Channels);
        var expectedVariance = expected.Variance();
        var actualVariance = actual.Variance();
        for (int c = 0; c < Mean.Length; c++)
        {
            Within($"batch mean[{c}]", expected.Mean[c], actual.Mean[c], Mean[c]);
            Within($"batch variance[{c}]", expectedVariance[c], actualVariance[c], Variance[c]);
        }
    }

    /// <summary>
    /// The transitions' batch values within the bounds (the variance's scaled by <paramref name="unbiasing"/>, n/(n − 1)
    /// for the unbiased estimator); momentum, average and renorm part equal.
    /// </summary>
    public void AssertClose(EmaTransition expected, EmaTransition actual, double unbiasing)
    {
        Assert.Equal(expected.Momentum, actual.Momentum);
        Assert.Equal(expected.Average, actual.Average);
        Assert.Equal(expected.Renorm, actual.Renorm);
        AssertClose(expected.Mean.ToArray(), expected.Variance.ToArray(), actual, unbiasing);
    }

    /// <summary>The transition's batch values within the bounds of <paramref name="mean"/> and <paramref name="variance"/>.</summary>
    public void AssertClose(double[] mean, double[] variance, EmaTransition actual, double unbiasing)
    {
        for (int c = 0; c < Mean.Length; c++)
        {
            Within($"transition mean[{c}]", mean[c], actual.Mean[c], Mean[c]);
            Within($"transition variance[{c}]", variance[c], actual.Variance[c], unbiasing * Variance[c]);
        }
    }

    /// <summary>
    /// Exponential EMA (SPEC §5), moving ← momentum·moving + (1 − momentum)·batch: batch values within the bounds move
    /// the result by (1 − momentum) times the bound, and each side rounds once to T (4u of the larger covers both and
    /// the double steps). Everything else in the states (gamma, beta, step, renorm state) is equal bit for bit.
    /// </summary>
    public void AssertNextStateClose<T>(NormalizationCase step, double unbiasing, BatchNormState<T> expected, BatchNormState<T> actual)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double weight = 1 - step.Momentum;
        for (int c = 0; c < Mean.Length; c++)
        {
            StateWithin("moving mean", c, expected.MovingMean, actual.MovingMean, weight * Mean[c], step.UnitRoundoff);
            StateWithin("moving variance", c, expected.MovingVariance, actual.MovingVariance, weight * unbiasing * Variance[c], step.UnitRoundoff);
        }

        BitwiseEqual(expected with { MovingMean = actual.MovingMean, MovingVariance = actual.MovingVariance }, actual);
    }

    /// <summary>
    /// The state <paramref name="before"/> advanced by the exponential EMA with batch values <paramref name="mean"/> and
    /// <paramref name="variance"/> (computed here in double), against <paramref name="actual"/>; as
    /// <see cref="AssertNextStateClose{T}"/>, and the step count is one more.
    /// </summary>
    public void AssertNextStateClose<T>(
        NormalizationCase step, double unbiasing, BatchNormState<T> before, double[] mean, double[] variance, BatchNormState<T> actual)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double m = step.Momentum;
        var expected = before with
        {
            MovingMean = ReadOnlyVector.Create(Enumerable.Range(0, Mean.Length).Select(c => T.CreateTruncating((m * double.CreateTruncating(before.MovingMean[c])) + ((1 - m) * mean[c]))).ToArray()),
            MovingVariance = ReadOnlyVector.Create(Enumerable.Range(0, Mean.Length).Select(c => T.CreateTruncating((m * double.CreateTruncating(before.MovingVariance[c])) + ((1 - m) * variance[c]))).ToArray()),
            Step = before.Step + 1,
        };
        AssertNextStateClose(step, unbiasing, expected, actual);
    }

    /// <summary>
    /// Outputs of <paramref name="part"/> (row-major) of two steps whose moments are within these bounds: an element at
    /// distance |x − m| moves by |gamma|/σ·(Δm + |x − m|·Δv/(2σ²)) (OutputTolerance's statistics term), and each side
    /// rounds as OutputTolerance allows, 8u of |gamma·(x − m)/σ| + |beta|.
    /// </summary>
    public void AssertOutputClose(NormalizationCase step, BatchPart part, double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        var statistics = step.Tensor.Statistics();
        var gamma = step.EffectiveGamma;
        var beta = step.EffectiveBeta;
        int first = part.Positions(step.Tensor.Lengths).Start.Value;
        for (int j = 0; j < expected.Length; j++)
        {
            int i = first + j;
            int c = step.Index.At(i);
            double square = statistics.Variance[c] + step.Epsilon;
            double scale = Math.Abs(gamma[c]) / Math.Sqrt(square);
            double distance = Math.Abs(step.Tensor.Values[i] - statistics.Mean[c]);
            double bound = (scale * (Mean[c] + (distance * Variance[c] / (2 * square))))
                + (16 * step.UnitRoundoff * ((scale * distance) + Math.Abs(beta[c])));
            Within($"y at row-major {i} (channel {c}, x = {step.Tensor.Values[i]})", expected[j], actual[j], bound);
        }
    }

    /// <summary>
    /// dx of <paramref name="part"/> (row-major) of two backward passes with loss weights <paramref name="w"/> whose
    /// forward moments are within these bounds. dx = a·(w − mean(w) − x̂·mean(w·x̂)), a = gamma/σ: the bounds move a by
    /// at most a·μ/2 and x̂ by μ·(1 + |x̂|), μ = Δm/σ + Δv/σ², so dx by at most 2.5μ (4μ allowed) of the scale
    /// |a|·(|w| + mean|w| + (1 + |x̂|)·(mean|w·x̂| + mean|w|)); each side's sums round as well (see <see cref="Rounding"/>).
    /// </summary>
    public void AssertInputGradientClose(NormalizationCase step, double[] w, BatchPart part, double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        var scale = new GradientScale(step, w);
        int first = part.Positions(step.Tensor.Lengths).Start.Value;
        for (int j = 0; j < expected.Length; j++)
        {
            int i = first + j;
            int c = step.Index.At(i);
            double bound = (Rounding(step) + (4 * scale.Relative(c, this))) * scale.InputGradient(i);
            Within($"dx at row-major {i} (channel {c})", expected[j], actual[j], bound);
        }
    }

    /// <summary>
    /// dgamma = Σw·x̂ moves by at most μ·Σ|w|·(1 + |x̂|) (2μ allowed); dbeta = Σw does not depend on the moments. Both
    /// round as <see cref="Rounding"/> says. A parameter that is not trained has a null gradient on both sides.
    /// </summary>
    public void AssertParameterGradientsClose<T>(NormalizationCase step, double[] w, BatchNormGradients<T> expected, BatchNormGradients<T> actual)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.Equal(expected.GammaGradient is null, actual.GammaGradient is null);
        Assert.Equal(expected.BetaGradient is null, actual.BetaGradient is null);
        var scale = new GradientScale(step, w);
        double rounding = Rounding(step);
        for (int c = 0; c < step.Channels; c++)
        {
            if (expected.GammaGradient is { } dgamma)
            {
                Within($"dgamma[{c}]", double.CreateTruncating(dgamma[c]), double.CreateTruncating(actual.GammaGradient![c]), (rounding + (2 * scale.Relative(c, this))) * scale.GammaGradient[c]);
            }

            if (expected.BetaGradient is { } dbeta)
            {
                Within($"dbeta[{c}]", double.CreateTruncating(dbeta[c]), double.CreateTruncating(actual.BetaGradient![c]), rounding * scale.BetaGradient[c]);
            }
        }
    }

    /// <summary>
    /// Rounding of two gradient computations, relative to the gradient's scale: <see cref="FloatGradientError"/> for
    /// float; for double 16n·2⁻⁵³ (double sums of n terms, in different partitions on the two sides).
    /// </summary>
    private static double Rounding(NormalizationCase step) =>
        step.Tensor.Type == ElementType.Single ? FloatGradientError : 16 * step.Tensor.CountPerChannel * Math.ScaleB(1, -53);

    private static MomentBounds From((double[] Mean, double[] Variance) errors) => new(errors.Mean, errors.Variance);

    private static void StateWithin<T>(string what, int c, ReadOnlyVector<T> expected, ReadOnlyVector<T> actual, double bound, double unitRoundoff)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double e = double.CreateTruncating(expected[c]);
        double a = double.CreateTruncating(actual[c]);
        Within($"{what}[{c}]", e, a, bound + (4 * unitRoundoff * Math.Max(Math.Abs(e), Math.Abs(a))));
    }

    /// <summary>The exact per-channel quantities the gradient bounds scale with, for loss weights w over the whole batch.</summary>
    private sealed class GradientScale
    {
        private readonly NormalizationCase _step;
        private readonly double[] _w;
        private readonly double[] _mean;
        private readonly double[] _spread;
        private readonly double[] _meanW;
        private readonly double[] _meanWXhat;

        public GradientScale(NormalizationCase step, double[] w)
        {
            _step = step;
            _w = w;
            var statistics = step.Tensor.Statistics();
            _mean = statistics.Mean;
            _spread = statistics.Variance.Select(v => Math.Sqrt(v + step.Epsilon)).ToArray();
            GammaGradient = ChannelSums(i => Math.Abs(w[i]) * (1 + Math.Abs(Xhat(i))));
            BetaGradient = ChannelSums(i => Math.Abs(w[i]));
            _meanW = BetaGradient.Select(sum => sum / statistics.Count).ToArray();
            _meanWXhat = ChannelSums(i => Math.Abs(w[i] * Xhat(i))).Select(sum => sum / statistics.Count).ToArray();
        }

        /// <summary>Per channel Σ|w|·(1 + |x̂|).</summary>
        public double[] GammaGradient { get; }

        /// <summary>Per channel Σ|w|.</summary>
        public double[] BetaGradient { get; }

        /// <summary>μ = Δm/σ + Δv/σ² of channel <paramref name="c"/>.</summary>
        public double Relative(int c, MomentBounds bounds) =>
            (bounds.Mean[c] / _spread[c]) + (bounds.Variance[c] / (_spread[c] * _spread[c]));

        /// <summary>|gamma|/σ·(|w| + mean|w| + (1 + |x̂|)·(mean|w·x̂| + mean|w|)) at row-major <paramref name="i"/>.</summary>
        public double InputGradient(int i)
        {
            int c = _step.Index.At(i);
            double gain = Math.Abs(_step.EffectiveGamma[c]) / _spread[c];
            return gain * (Math.Abs(_w[i]) + _meanW[c] + ((1 + Math.Abs(Xhat(i))) * (_meanWXhat[c] + _meanW[c])));
        }

        private double Xhat(int i)
        {
            int c = _step.Index.At(i);
            return (_step.Tensor.Values[i] - _mean[c]) / _spread[c];
        }

        private double[] ChannelSums(Func<int, double> term)
        {
            var sums = new double[_step.Channels];
            for (int i = 0; i < _w.Length; i++)
            {
                sums[_step.Index.At(i)] += term(i);
            }

            return sums;
        }
    }
}
