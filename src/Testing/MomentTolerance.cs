using System.Globalization;
using BnNative.Moments;

namespace BnNative.Testing;

/// <summary>
/// How far a moments backend's per-channel mean and variance may be from the exact ones (<see cref="ChannelStatistics"/>),
/// from the rounding the computation can do, for a channel of n elements with D = max|x − mean| and A = max|x|:
/// <list type="bullet">
/// <item><description>|Δmean| ≤ 2a·D + d·A and |Δvariance| ≤ <see cref="MaxAmplification"/>·a·variance + δ·(2D + δ), δ = d·A
/// (<see cref="MeanBound"/>, <see cref="VarianceBound"/>).</description></item>
/// <item><description><see cref="Accumulation"/> a, the relative error of the sums of deviations from a shift K (a data
/// value, so |x − K| ≤ 2D): BnNative's fast backends sum (x − K) and (x − K)² in blocks and recompute a block exactly
/// when S2 − S1²/n would lose more than <see cref="MaxAmplification"/> to cancellation, which bounds the relative error
/// of M2 by about MaxAmplification·a (the backends' own precision claim).</description></item>
/// <item><description><see cref="Rounding"/> d, the relative error of a double sum of the raw values (a two-pass
/// reference's first pass, MathNet's running sums): the mean is off by d·A, and a deviation from a mean that is off by δ
/// is off by δ, so its square by up to δ·(2D + δ).</description></item>
/// </list>
/// Over thousands of generated cases of BnNative's property suite, small and large, float and double, the largest error
/// of any backend used 3% of this bound; a float backend that sums raw values instead of deviations from a shift
/// exceeds it within 20 cases.
/// </summary>
public sealed record MomentTolerance
{
    /// <summary>
    /// Most elements one float partial-sum chain of the fast backends takes before it is folded into double (64). A float
    /// sum of m terms is off by at most m·2⁻²⁴ of their magnitudes.
    /// </summary>
    public const int FoldLength = 64;

    /// <summary>
    /// Largest loss of relative precision to cancellation the fast backends accept in a block before recomputing it
    /// exactly (16).
    /// </summary>
    public const double MaxAmplification = 16;

    /// <summary>Creates a tolerance.</summary>
    /// <param name="accumulation">Relative error a of the sums of deviations, finite and ≥ 0.</param>
    /// <param name="rounding">Relative error d of the double sums of raw values, finite and ≥ 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is negative, infinite or NaN.</exception>
    public MomentTolerance(double accumulation, double rounding)
    {
        ArgumentChecks.NonNegativeFinite(accumulation);
        ArgumentChecks.NonNegativeFinite(rounding);
        Accumulation = accumulation;
        Rounding = rounding;
    }

    /// <summary>
    /// Float accumulation, <see cref="FoldLength"/>·2⁻²⁴ ≈ 3.8e-6: the variance may then be off by
    /// 16·64·2⁻²⁴ ≈ 6.1e-5 relative. The input itself is exact: expectations are computed on the float values converted
    /// to double, so the float32 rounding of the input is not counted.
    /// </summary>
    public static double SingleAccumulation { get; } = FoldLength * Math.ScaleB(1, -24);

    /// <summary>Relative error a of the sums of deviations.</summary>
    public double Accumulation { get; init; }

    /// <summary>Relative error d of the double sums of raw values.</summary>
    public double Rounding { get; init; }

    /// <summary>
    /// Double arithmetic for n = <paramref name="count"/> elements per channel: max(n, 1)·2⁻⁴⁹ (8.9e-12 for n = 5000). A
    /// double sum of n terms is off by at most n·2⁻⁵³ of their magnitudes, the expected and the actual one together by
    /// 2n·2⁻⁵³, and a factor 8 covers the final divisions and Chan's merges.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public static double DoubleRounding(long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return Math.Max(count, 1) * Math.ScaleB(1, -49);
    }

    /// <summary>Computations in double only (double input, or the Reference backend on any input): a = d = <see cref="DoubleRounding"/>(n).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public static MomentTolerance Double(long count) => new(DoubleRounding(count), DoubleRounding(count));

    /// <summary>
    /// The tolerance for any BnNative backend on <paramref name="x"/>: <see cref="Double"/>(n), with the accumulation
    /// raised to <see cref="SingleAccumulation"/> for float input.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> is null.</exception>
    public static MomentTolerance For(TensorCase x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var exact = Double(x.CountPerChannel);
        return x.Type == ElementType.Single ? exact with { Accumulation = Math.Max(SingleAccumulation, exact.Accumulation) } : exact;
    }

    /// <summary>The bound on |Δmean| of channel <paramref name="channel"/>: 2a·D + d·A, D and A from <paramref name="scale"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="scale"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="channel"/> is outside [0, channels).</exception>
    public double MeanBound(ChannelStatistics scale, int channel)
    {
        CheckChannel(scale, channel);
        return (2 * Accumulation * scale.MaxDeviation[channel]) + (Rounding * scale.MaxAbs[channel]);
    }

    /// <summary>
    /// The bound on |Δvariance| (biased) of channel <paramref name="channel"/>:
    /// <see cref="MaxAmplification"/>·a·variance + δ·(2D + δ), δ = d·A, all from <paramref name="scale"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="scale"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="channel"/> is outside [0, channels).</exception>
    public double VarianceBound(ChannelStatistics scale, int channel)
    {
        CheckChannel(scale, channel);
        double meanRounding = Rounding * scale.MaxAbs[channel];
        return (MaxAmplification * Accumulation * scale.Variance[channel])
            + (meanRounding * ((2 * scale.MaxDeviation[channel]) + meanRounding));
    }

    /// <summary>Every channel's <see cref="MeanBound"/> and <see cref="VarianceBound"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="scale"/> is null.</exception>
    public (double[] Mean, double[] Variance) Bounds(ChannelStatistics scale)
    {
        ArgumentNullException.ThrowIfNull(scale);
        var channels = Enumerable.Range(0, scale.Channels);
        return (channels.Select(c => MeanBound(scale, c)).ToArray(), channels.Select(c => VarianceBound(scale, c)).ToArray());
    }

    /// <summary>
    /// Checks <paramref name="actual"/> against the oracle <paramref name="expected"/>: the same count and channels, and
    /// per channel the mean and the biased variance within <see cref="MeanBound"/> and <see cref="VarianceBound"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="OracleMismatchException">A count, a channel count, a mean or a variance is off; the message names it.</exception>
    public void Verify(ChannelStatistics expected, BatchMoments actual)
    {
        ArgumentNullException.ThrowIfNull(expected);
        Verify(expected, expected.Mean, expected.Variance, actual);
    }

    /// <summary>
    /// Checks that two moments of the same data agree: both have <paramref name="scale"/>'s count and channels, and their
    /// means and biased variances are within the bounds <paramref name="scale"/> (the oracle of the data) gives.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="OracleMismatchException">A count, a channel count, a mean or a variance is off; the message names it.</exception>
    public void Verify(ChannelStatistics scale, BatchMoments expected, BatchMoments actual)
    {
        ArgumentNullException.ThrowIfNull(scale);
        ArgumentNullException.ThrowIfNull(expected);
        SameShape("expected", scale, expected);
        Verify(scale, expected.Mean, expected.Variance(), actual);
    }

    /// <summary>
    /// Checks the unbiased variance of <paramref name="actual"/> against MathNet's sample variance, within n/(n − 1) times
    /// <see cref="VarianceBound"/> (n ≥ 2).
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="expected"/> has fewer than two elements per channel.</exception>
    /// <exception cref="OracleMismatchException">A count, a channel count or a variance is off; the message names it.</exception>
    public void VerifySampleVariance(ChannelStatistics expected, BatchMoments actual)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        if (expected.Count < 2)
        {
            throw new ArgumentException($"expected must have at least 2 elements per channel for a sample variance, got {expected.Count}.", nameof(expected));
        }

        SameShape("actual", expected, actual);
        var unbiased = actual.Variance(VarianceEstimator.Unbiased);
        double correction = expected.Count / (expected.Count - 1.0);
        for (int c = 0; c < expected.Channels; c++)
        {
            Within("unbiased variance", c, expected.SampleVariance[c], unbiased[c], correction * VarianceBound(expected, c));
        }
    }

    private static void CheckChannel(ChannelStatistics scale, int channel)
    {
        ArgumentNullException.ThrowIfNull(scale);
        ArgumentChecks.Axis(channel, scale.Channels);
    }

    private static void SameShape(string what, ChannelStatistics scale, BatchMoments moments)
    {
        if (moments.Count != scale.Count || moments.Channels != scale.Channels)
        {
            throw new OracleMismatchException(string.Create(
                CultureInfo.InvariantCulture,
                $"{what} has {moments.Channels} channels of {moments.Count} elements, expected {scale.Channels} channels of {scale.Count}."));
        }
    }

    private static void Within(string what, int channel, double expected, double actual, double bound)
    {
        if (!(Math.Abs(actual - expected) <= bound))
        {
            throw new OracleMismatchException(string.Create(
                CultureInfo.InvariantCulture,
                $"{what}[{channel}] = {actual:R}, expected {expected:R} ± {bound:R} (off by {Math.Abs(actual - expected):R})."));
        }
    }

    private void Verify(ChannelStatistics scale, IReadOnlyList<double> mean, IReadOnlyList<double> variance, BatchMoments actual)
    {
        ArgumentNullException.ThrowIfNull(actual);
        SameShape("actual", scale, actual);
        var actualVariance = actual.Variance();
        for (int c = 0; c < scale.Channels; c++)
        {
            Within("mean", c, mean[c], actual.Mean[c], MeanBound(scale, c));
            Within("variance", c, variance[c], actualVariance[c], VarianceBound(scale, c));
        }
    }
}
