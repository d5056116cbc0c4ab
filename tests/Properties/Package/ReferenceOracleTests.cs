using BnNative.Moments;
using BnNative.Tensors;

namespace BnNative.Tests.Properties.Package;

/// <summary>
/// The package's oracle on small cases worked out by hand: the per-channel moments, the forward pass in training and
/// inference, the backward pass in training and inference, and the tolerances' Verify accepting what is within the
/// bound and naming what is not. Every expected value here is exact in double.
/// </summary>
public sealed class ReferenceOracleTests
{
    private static readonly ChannelChoice ChannelsLast = new(DataFormat.ChannelsLast, null);

    private static readonly double[] UnitDy = [1, 0, 0, 0, 0, 0, 0, 0];

    /// <summary>
    /// x = [[1, 10], [3, 20]], channels last: channel 0 holds {1, 3} (mean 2, variance 1), channel 1 holds {10, 20}
    /// (mean 15, variance 25).
    /// </summary>
    private static readonly TensorCase TwoByTwo = new([2, 2], ChannelsLast, ElementType.Double, [1, 10, 3, 20], StorageLayout.Contiguous(2));

    [Fact]
    public void ChannelStatisticsGatherEachChannel()
    {
        var statistics = ChannelStatistics.Of([2, 3], 1, [1, 2, 3, 4, 5, 6]);

        Assert.Equal(2, statistics.Count);
        Assert.Equal(3, statistics.Channels);
        Assert.Equal([2.5, 3.5, 4.5], statistics.Mean);
        Assert.Equal([2.25, 2.25, 2.25], statistics.Variance);
        Assert.Equal([4.5, 4.5, 4.5], statistics.SampleVariance);
        Assert.Equal([4.0, 5, 6], statistics.MaxAbs);
        Assert.Equal([1.5, 1.5, 1.5], statistics.MaxDeviation);
    }

    [Fact]
    public void ChannelStatisticsOnAxisZeroTakeWholeRows()
    {
        var statistics = ChannelStatistics.Of([2, 2], 0, [1, 3, -5, -9]);

        Assert.Equal([2.0, -7], statistics.Mean);
        Assert.Equal([1.0, 4], statistics.Variance);
        Assert.Equal([3.0, 9], statistics.MaxAbs);
        Assert.Equal([1.0, 2], statistics.MaxDeviation);
    }

    [Fact]
    public void OneElementPerChannelHasNoSampleVariance()
    {
        var statistics = ChannelStatistics.Of([1, 2], 1, [4, -4]);

        Assert.Equal([0.0, 0], statistics.Variance);
        Assert.All(statistics.SampleVariance, v => Assert.True(double.IsNaN(v)));
    }

    /// <summary>A transposed view of [[1, 2, 3], [4, 5, 6]] is [[1, 4], [2, 5], [3, 6]]: channels last, {1, 2, 3} and {4, 5, 6}.</summary>
    [Fact]
    public void FromViewTakesTheLogicalValuesOfAnyView()
    {
        var transposed = TensorView<float>.Create(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3).Permute(1, 0);

        var x = TensorCase.FromView(transposed, ChannelsLast);

        Assert.Equal([3, 2], x.Lengths);
        Assert.Equal(ElementType.Single, x.Type);
        Assert.Equal([1.0, 4, 2, 5, 3, 6], x.Values);
        Assert.Equal([2.0, 5], x.Statistics().Mean);
        Assert.Equal(x.Values, x.Store<float>().ToArray().Select(v => (double)v));
    }

    [Fact]
    public void TrainingNormalizesWithTheBatchStatistics()
    {
        var step = Step(TwoByTwo, gamma: [2, 1], beta: [0.5, -1], movingMean: [0, 10], movingVariance: [3, 0], epsilon: 0);

        // Channel 0: (x − 2)/1·2 + 0.5; channel 1: (x − 15)/5·1 − 1.
        Assert.Equal([-1.5, -2, 2.5, 0], ReferenceBatchNorm.Train(step));
    }

    [Fact]
    public void InferenceNormalizesWithTheMovingStatistics()
    {
        var step = Step(TwoByTwo, gamma: [2, 1], beta: [0.5, -1], movingMean: [0, 10], movingVariance: [3, 0], epsilon: 1);

        // Channel 0: x/sqrt(3 + 1)·2 + 0.5; channel 1: (x − 10)/sqrt(0 + 1) − 1.
        Assert.Equal([1.5, -1, 3.5, 9], ReferenceBatchNorm.Infer(step));
    }

    [Fact]
    public void ScaleAndCenterOffUseGammaOneAndBetaZero()
    {
        var step = Step(TwoByTwo, gamma: [2, 1], beta: [0.5, -1], movingMean: [0, 10], movingVariance: [3, 0], epsilon: 0) with
        {
            Scale = false,
            Center = false,
        };

        Assert.Equal([-1.0, -1, 1, 1], ReferenceBatchNorm.Train(step));
    }

    [Fact]
    public void NormalizeTakesAnyStatistics()
    {
        var y = ReferenceBatchNorm.Normalize(TwoByTwo, mean: [1, 0], variance: [0, 96], gamma: [1, 1], beta: [0, 0], epsilon: 4);

        // Channel 0: (x − 1)/2; channel 1: x/10.
        Assert.Equal([0.0, 1, 1, 2], y);
    }

    /// <summary>
    /// One channel x = [−2, 2, 0, 0, 0, 0, 0, 0] (mean 0, variance 1, so x̂ = x with eps 0), gamma 2,
    /// dy = [1, 0, …, 0]: mean(dy) = 1/8, mean(dy·x̂) = −1/4, dx = 2·(dy − 1/8 + x̂/4) = [0.75, 0.75, −0.25 × 6],
    /// dgamma = Σ dy·x̂ = −2, dbeta = 1.
    /// </summary>
    [Fact]
    public void TrainingBackwardSubtractsTheMeanAndTheProjection()
    {
        var step = Step(Column(), gamma: [2], beta: [7], movingMean: [0], movingVariance: [3], epsilon: 0);

        var gradients = ReferenceBatchNorm.Backward(step, UnitDy);

        Assert.Equal([0.75, 0.75, -0.25, -0.25, -0.25, -0.25, -0.25, -0.25], gradients.InputGradient);
        Assert.Equal([-2.0], Assert.IsType<double[]>(gradients.GammaGradient));
        Assert.Equal([1.0], Assert.IsType<double[]>(gradients.BetaGradient));
    }

    /// <summary>
    /// The same case in inference: sqrt(3 + 1) = 2, so dx = 2/2·dy = dy; x̂ = x/2, dgamma = Σ dy·x̂ = −1, dbeta = 1.
    /// </summary>
    [Fact]
    public void InferenceBackwardScalesDyByGammaOverSigma()
    {
        var step = Step(Column(), gamma: [2], beta: [7], movingMean: [0], movingVariance: [3], epsilon: 1);

        var gradients = ReferenceBatchNorm.BackwardInference(step, UnitDy);

        Assert.Equal(UnitDy, gradients.InputGradient);
        Assert.Equal([-1.0], Assert.IsType<double[]>(gradients.GammaGradient));
        Assert.Equal([1.0], Assert.IsType<double[]>(gradients.BetaGradient));
    }

    [Fact]
    public void ParametersThatAreNotTrainedHaveNoGradient()
    {
        var step = Step(Column(), gamma: [2], beta: [7], movingMean: [0], movingVariance: [3], epsilon: 0) with
        {
            Scale = false,
            Center = false,
        };

        var gradients = ReferenceBatchNorm.Backward(step, UnitDy);

        // gamma is 1 when Scale is off: dx = dy − 1/8 + x̂/4.
        Assert.Equal([0.375, 0.375, -0.125, -0.125, -0.125, -0.125, -0.125, -0.125], gradients.InputGradient);
        Assert.Null(gradients.GammaGradient);
        Assert.Null(gradients.BetaGradient);
    }

    /// <summary>The package restates two constants of the internal shifted-sums backends; they must stay the backends' own.</summary>
    [Fact]
    public void MomentToleranceUsesTheBackendsPrecisionConstants()
    {
        Assert.Equal(ShiftedSumsBackend.FoldLength, MomentTolerance.FoldLength);
        Assert.Equal(ShiftedSumsBackend.MaxAmplification, MomentTolerance.MaxAmplification);
        Assert.Equal(64 * Math.ScaleB(1, -24), MomentTolerance.SingleAccumulation);
        Assert.Equal(5000 * Math.ScaleB(1, -49), MomentTolerance.DoubleRounding(5000));
        Assert.Equal(Math.ScaleB(1, -49), MomentTolerance.DoubleRounding(0));
    }

    /// <summary>
    /// Bounds of <see cref="TwoByTwo"/> with a = 0.125, d = 0.25: |Δmean| ≤ 2a·D + d·A = [0.25 + 0.75, 1.25 + 5],
    /// |Δvariance| ≤ 16a·v + δ(2D + δ), δ = d·A = [0.75, 5]: [2 + 0.75·2.75, 50 + 5·15].
    /// </summary>
    [Fact]
    public void MomentBoundsFollowTheirFormula()
    {
        var tolerance = new MomentTolerance(0.125, 0.25);

        var (mean, variance) = tolerance.Bounds(TwoByTwo.Statistics());

        Assert.Equal([1.0, 6.25], mean);
        Assert.Equal([2 + (0.75 * 2.75), 125], variance);
    }

    [Fact]
    public void MomentVerifyAcceptsWithinTheBoundAndNamesWhatIsNot()
    {
        var statistics = TwoByTwo.Statistics();
        var tolerance = new MomentTolerance(0, 0.25);

        // Mean bounds d·A = [0.75, 5], variance bounds δ(2D + δ) = [0.75·2.75, 5·15].
        tolerance.Verify(statistics, Moments(2, [2.7, 19.9], [1.3, 99]));
        var error = Assert.Throws<OracleMismatchException>(() => tolerance.Verify(statistics, Moments(2, [2, 15], [1, 101])));
        Assert.StartsWith("variance[1] = 101, expected 25 ± 75", error.Message);
        error = Assert.Throws<OracleMismatchException>(() => tolerance.Verify(statistics, Moments(3, [2, 15], [1, 25])));
        Assert.Contains("expected 2 channels of 2", error.Message);
    }

    [Fact]
    public void SampleVarianceVerifyUsesTheUnbiasedEstimate()
    {
        var statistics = TwoByTwo.Statistics();

        MomentTolerance.Double(2).VerifySampleVariance(statistics, Moments(2, [2, 15], [1, 25]));
        var error = Assert.Throws<OracleMismatchException>(
            () => MomentTolerance.Double(2).VerifySampleVariance(statistics, Moments(2, [2, 15], [1, 26])));
        Assert.StartsWith("unbiased variance[1] = 52, expected 50", error.Message);
    }

    /// <summary>
    /// Inference on <see cref="TwoByTwo"/> with exact moving statistics: the bound is 8u·(|a·(x − m)| + |beta|), u = 2⁻⁵³.
    /// </summary>
    [Fact]
    public void OutputToleranceInInferenceIsTheRoundingTerm()
    {
        var step = Step(TwoByTwo, gamma: [2, 1], beta: [0.5, -1], movingMean: [0, 10], movingVariance: [3, 0], epsilon: 1);
        var tolerance = OutputTolerance.Inference(step);
        double u = Math.ScaleB(1, -53);

        Assert.Equal(8 * u * (1 + 0.5), tolerance.At(0));
        Assert.Equal(8 * u * (10 + 1), tolerance.At(3));
        Assert.Equal([8 * u * (3 + 0.5), 8 * u * (10 + 1)], tolerance.PerChannel());
        var expected = ReferenceBatchNorm.Infer(step);
        tolerance.Verify(expected, expected.Select((y, i) => y + (tolerance.At(i) / 2)).ToArray());
        var error = Assert.Throws<OracleMismatchException>(() => tolerance.Verify(expected, [1.5, -1, 3.5, 9.001]));
        Assert.StartsWith("y at row-major 3 (channel 1, x = 20) = 9.001, expected 9 ±", error.Message);
    }

    /// <summary>One channel of eight elements whose MathNet mean (0) and variance (1) are exact: x = [−2, 2, 0, 0, 0, 0, 0, 0].</summary>
    private static TensorCase Column() =>
        new([8, 1], ChannelsLast, ElementType.Double, [-2, 2, 0, 0, 0, 0, 0, 0], StorageLayout.Contiguous(2));

    private static NormalizationCase Step(
        TensorCase tensor, double[] gamma, double[] beta, double[] movingMean, double[] movingVariance, double epsilon) =>
        new(tensor, gamma, beta, movingMean, movingVariance, epsilon, momentum: 0.9, center: true, scale: true, estimator: null);

    private static BatchMoments Moments(long count, double[] mean, double[] variance) =>
        new(count, Collections.ReadOnlyVector.Create(mean), Collections.ReadOnlyVector.Create(variance.Select(v => v * count).ToArray()));
}
