using BnNative.Moments;

namespace BnNative.Tests.Properties;

/// <summary>
/// How far computed moments may be from expected ones, from the rounding each computation can do, for a channel of
/// n elements with D = max|x − mean| and A = max|x|:
/// <list type="bullet">
/// <item><description>|Δmean| ≤ 2a·D + d·A and |Δvariance| ≤ MaxAmplification·a·variance + δ·(2D + δ), δ = d·A.</description></item>
/// <item><description><see cref="Accumulation"/> a, the relative error of the sums of deviations from a shift K (a data value,
/// so |x − K| ≤ 2D): the fast backends sum (x − K) and (x − K)² in blocks and recompute a block exactly when
/// S2 − S1²/n would lose more than <see cref="ShiftedSumsBackend.MaxAmplification"/> to cancellation, which bounds
/// the relative error of M2 by about MaxAmplification·a (ShiftedSumsBackend's own precision claim).</description></item>
/// <item><description><see cref="Rounding"/> d, the relative error of a double sum of the raw values (Reference's first pass,
/// MathNet's running sums): the mean is off by d·A, and a deviation from a mean that is off by δ is off by δ, so its
/// square by up to δ·(2D + δ) (MathNet's one-pass update is exposed to it).</description></item>
/// </list>
/// Over thousands of generated cases, small and large, float and double, the largest error of any backend used 3% of
/// its bound; a float backend that sums raw values instead of deviations from a shift exceeds it within 20 cases.
/// </summary>
/// <param name="Accumulation">Relative error of the sums of deviations.</param>
/// <param name="Rounding">Relative error of the double sums of raw values.</param>
public sealed record Tolerance(double Accumulation, double Rounding)
{
    /// <summary>
    /// Float accumulation, FoldLength·2⁻²⁴: the fast backends sum in float over at most
    /// <see cref="ShiftedSumsBackend.FoldLength"/> elements before folding into double, and a float sum of m terms
    /// is off by at most m·2⁻²⁴ of their magnitudes. With FoldLength 64 the variance may be off by 16·64·2⁻²⁴ ≈ 6.1e-5
    /// relative. The input itself is exact: expectations are computed on the float values converted to double, so
    /// float32 rounding of the input is not counted.
    /// </summary>
    public static double SingleAccumulation { get; } = ShiftedSumsBackend.FoldLength * Math.ScaleB(1, -24);

    /// <summary>
    /// Double arithmetic, n·2⁻⁴⁹ for n elements per channel (8.9e-12 for the 5000 elements of a small case): a double
    /// sum of n terms is off by at most n·2⁻⁵³ of their magnitudes, the expected and the actual one together by
    /// 2n·2⁻⁵³, and a factor 8 covers the final divisions and Chan's merges.
    /// </summary>
    public static double DoubleRounding(long count) => Math.Max(count, 1) * Math.ScaleB(1, -49);

    /// <summary>Computations in double only (double input, or the Reference backend on any input), n elements per channel.</summary>
    public static Tolerance Double(long count) => new(DoubleRounding(count), DoubleRounding(count));

    /// <summary>The tolerance for a backend on <paramref name="x"/>: float accumulation for float input, else <see cref="Double"/>.</summary>
    public static Tolerance For(MomentsCase x)
    {
        var exact = Double(x.CountPerChannel);
        return x.Type == ElementType.Single ? exact with { Accumulation = Math.Max(SingleAccumulation, exact.Accumulation) } : exact;
    }

    /// <summary>Asserts that <paramref name="actual"/> matches the MathNet oracle: count, mean and biased variance.</summary>
    public void AssertMatches(ChannelStatistics expected, BatchMoments actual) =>
        AssertClose(expected, expected.Mean, expected.Variance, actual);

    /// <summary>Asserts that <paramref name="actual"/> matches <paramref name="expected"/>, scaled by the data's <paramref name="scale"/>.</summary>
    public void AssertClose(ChannelStatistics scale, BatchMoments expected, BatchMoments actual)
    {
        Assert.Equal(scale.Count, expected.Count);
        AssertClose(scale, expected.Mean, expected.Variance(), actual);
    }

    /// <summary>Asserts that the unbiased variance of <paramref name="actual"/> matches MathNet's sample variance (n ≥ 2).</summary>
    public void AssertSampleVarianceMatches(ChannelStatistics expected, BatchMoments actual)
    {
        var unbiased = actual.Variance(VarianceEstimator.Unbiased);
        double correction = expected.Count / (expected.Count - 1.0);
        for (int c = 0; c < expected.Channels; c++)
        {
            AssertWithin("unbiased variance", c, expected.SampleVariance[c], unbiased[c], correction * VarianceBound(expected, c));
        }
    }

    private void AssertClose(ChannelStatistics scale, IReadOnlyList<double> mean, IReadOnlyList<double> variance, BatchMoments actual)
    {
        Assert.Equal(scale.Count, actual.Count);
        Assert.Equal(scale.Channels, actual.Channels);
        var actualVariance = actual.Variance();
        for (int c = 0; c < scale.Channels; c++)
        {
            AssertWithin("mean", c, mean[c], actual.Mean[c], MeanBound(scale, c));
            AssertWithin("variance", c, variance[c], actualVariance[c], VarianceBound(scale, c));
        }
    }

    private double MeanBound(ChannelStatistics scale, int c) =>
        (2 * Accumulation * scale.MaxDeviation[c]) + (Rounding * scale.MaxAbs[c]);

    private double VarianceBound(ChannelStatistics scale, int c)
    {
        double meanRounding = Rounding * scale.MaxAbs[c];
        return (ShiftedSumsBackend.MaxAmplification * Accumulation * scale.Variance[c])
            + (meanRounding * ((2 * scale.MaxDeviation[c]) + meanRounding));
    }

    private static void AssertWithin(string what, int channel, double expected, double actual, double bound) =>
        Assert.True(
            Math.Abs(actual - expected) <= bound,
            $"{what}[{channel}] = {actual:R}, expected {expected:R} ± {bound:R} (off by {Math.Abs(actual - expected):R}).");
}
