using BnNative.Collections;
using BnNative.Moments;
using BnNative.Normalization;
using BnNative.Tensors;

namespace BnNative.Tests.Normalization;

/// <summary>
/// Tiny steps worked out by hand (SPEC §4, §5, §9). x = [[1, 2], [3, 4]] (rank 2, channel axis 1): channel 0 holds
/// {1, 3}, channel 1 holds {2, 4}; means 2 and 3, biased variance 1 in both, so with eps = 1e-5 every output is
/// ±k, k = 1/sqrt(1 + eps).
/// </summary>
public sealed class HandWorkedBatchNormTests
{
    private const double Eps = 1e-5;

    /// <summary>Absolute tolerance: every expected value is O(1) and a few double roundings away.</summary>
    private const double Close = 1e-14;

    private static readonly double K = 1 / Math.Sqrt(1 + Eps);

    private static TensorView<double> TwoByTwo => TensorView<double>.Create(new double[] { 1, 2, 3, 4 }, 2, 2);

    [Fact]
    public void TrainingNormalizesEachColumnToPlusMinusK()
    {
        var result = BatchNorm.Train(TwoByTwo, BatchNormState<double>.Init(2), new BatchNormConfig { EmaUpdate = EmaUpdate.Internal });

        AssertClose([-K, -K, K, K], result.Output.ToArray());
        Assert.Equal(1, result.ChannelAxis);
        Assert.Equal(2, result.BatchMoments.Count);
        AssertClose([2, 3], result.BatchMoments.Mean);
        AssertClose([2, 2], result.BatchMoments.M2);
        AssertClose([K, K], result.InverseStd);

        // Rank 2: tensorpack feeds the biased variance 1; moving ← 0.9·moving + 0.1·batch.
        AssertClose([0.2, 0.3], result.NextState.MovingMean);
        AssertClose([1, 1], result.NextState.MovingVariance);
        Assert.Equal(1, result.NextState.Step);
        Assert.Null(result.PendingTransition);
    }

    [Fact]
    public void GammaAndBetaScaleAndShiftEachChannel()
    {
        var state = BatchNormState<double>.Init(2) with { Gamma = ReadOnlyVector.Create(2.0, -1.0), Beta = ReadOnlyVector.Create(0.5, 0.0) };

        var y = BatchNorm.Train(TwoByTwo, state, new BatchNormConfig { EmaUpdate = EmaUpdate.Skip }).Output.ToArray();
        AssertClose([(-2 * K) + 0.5, K, (2 * K) + 0.5, -K], y);

        var noAffine = BatchNorm.Train(TwoByTwo, state, new BatchNormConfig { EmaUpdate = EmaUpdate.Skip, Center = false, Scale = false });
        AssertClose([-K, -K, K, K], noAffine.Output.ToArray());
    }

    [Fact]
    public void FloatInputGivesTheSameOutput()
    {
        var x = TensorView<float>.Create(new float[] { 1, 2, 3, 4 }, 2, 2);

        var y = BatchNorm.Train(x, BatchNormState<float>.Init(2)).Output.ToArray();

        Assert.Equal([(float)-K, (float)-K, (float)K, (float)K], y);
    }

    [Fact]
    public void CollectionReturnsTheStateAndTheTransitionToApply()
    {
        var state = BatchNormState<double>.Init(2);

        var result = BatchNorm.Train(TwoByTwo, state);

        Assert.Same(state, result.NextState);
        var transition = Assert.IsType<EmaTransition>(result.PendingTransition);
        AssertClose([2, 3], transition.Mean);
        AssertClose([1, 1], transition.Variance);
        Assert.Equal(0.9, transition.Momentum);
        Assert.Equal(EmaAverage.Exponential, transition.Average);
        var applied = transition.Apply(state);
        AssertClose([0.2, 0.3], applied.MovingMean);
        Assert.Equal(1, applied.Step);
        Assert.Equal(state.Gamma, applied.Gamma);
    }

    /// <summary>The same numbers as NCHW [2, 2, 1, 1]: rank 4 feeds the unbiased variance, 2, so moving_var = 0.9 + 0.2.</summary>
    [Fact]
    public void RankFourFeedsTheUnbiasedVariance()
    {
        var x = TensorView<double>.Create(new double[] { 1, 2, 3, 4 }, 2, 2, 1, 1);
        var config = BatchNormConfig.PyTorch with { MovingVariance = null };

        var result = BatchNorm.Train(x, BatchNormState<double>.Init(2), config);

        AssertClose([-K, -K, K, K], result.Output.ToArray());
        AssertClose([0.2, 0.3], result.NextState.MovingMean);
        AssertClose([1.1, 1.1], result.NextState.MovingVariance);
    }

    /// <summary>Two steps of each average on the batches x and x + 10 (means [2, 3], then [12, 13]).</summary>
    [Theory]
    [InlineData(EmaAverage.Exponential, 0.9 * 0.2 + 1.2, 0.9 * 0.3 + 1.3)]
    [InlineData(EmaAverage.Cumulative, 7, 8)]
    [InlineData(EmaAverage.ZeroDebiased, (0.9 * 0.2 + 1.2) / 0.19, (0.9 * 0.3 + 1.3) / 0.19)]
    public void TwoStepsOfEachAverage(EmaAverage average, double mean0, double mean1)
    {
        var config = new BatchNormConfig { EmaUpdate = EmaUpdate.Internal, EmaAverage = average };
        var shifted = TensorView<double>.Create(new double[] { 11, 12, 13, 14 }, 2, 2);

        var first = BatchNorm.Train(TwoByTwo, BatchNormState<double>.Init(2), config).NextState;
        var second = BatchNorm.Train(shifted, first, config).NextState;

        AssertClose([mean0, mean1], second.MovingMean);
        Assert.Equal(2, second.Step);
    }

    [Fact]
    public void InferenceUsesTheMovingStatistics()
    {
        var state = new BatchNormState<double>(
            ReadOnlyVector.Create(2.0, 3.0), ReadOnlyVector.Create(4.0, 0.25), ReadOnlyVector.Create(1.0, 2.0), ReadOnlyVector.Create(1.0, 0.0), 0);
        double a0 = 1 / Math.Sqrt(4 + Eps);
        double a1 = 2 / Math.Sqrt(0.25 + Eps);

        var y = BatchNorm.Infer(TwoByTwo, state).Data;

        AssertClose([(-1 * a0) + 1, -1 * a1, (1 * a0) + 1, 1 * a1], y);
        AssertClose([1 / Math.Sqrt(1 + Eps), 2 * K, 3 * K, 4 * K], BatchNorm.Infer(TwoByTwo, BatchNormState<double>.Init(2)).Data);
    }

    /// <summary>
    /// x = [1, 2, 6] in one channel (rank 2, [3, 1]): mean 3, deviations −2, −1, 3, s2 = 14/3, k = 1/sqrt(14/3 + eps).
    /// dy = [1, 0, 0]: sum_dy = 1, dot = −2, so dx_i = k·(dy_i − 1/3 + 2·d_i·k²/3), which for eps → 0 is k·[8, −10, 2]/21;
    /// dgamma = dot·k = −2k, dbeta = 1.
    /// </summary>
    [Fact]
    public void BackwardOfThreeSamples()
    {
        var x = TensorView<double>.Create(new double[] { 1, 2, 6 }, 3, 1);
        var dy = TensorView<double>.Create(new double[] { 1, 0, 0 }, 3, 1);
        double k = 1 / Math.Sqrt((14.0 / 3) + Eps);
        double k2 = k * k;

        var gradients = BatchNorm.Backward(dy, BatchNorm.Train(x, BatchNormState<double>.Init(1)));

        AssertClose([k * ((2.0 / 3) - (4 * k2 / 3)), k * ((-1.0 / 3) - (2 * k2 / 3)), k * ((-1.0 / 3) + (2 * k2))], gradients.InputGradient.ToArray());
        AssertClose([8 * k / 21, -10 * k / 21, 2 * k / 21], gradients.InputGradient.ToArray(), 1e-5);
        AssertClose([-2 * k], gradients.GammaGradient!);
        AssertClose([1], gradients.BetaGradient!);
    }

    /// <summary>Inference backward: dx = dy·gamma/sqrt(moving_var + eps), dgamma = Σdy·(x − moving_mean)/sqrt(moving_var + eps), dbeta = Σdy.</summary>
    [Fact]
    public void BackwardInferenceOfTwoByTwo()
    {
        var state = new BatchNormState<double>(
            ReadOnlyVector.Create(2.0, 3.0), ReadOnlyVector.Create(4.0, 0.25), ReadOnlyVector.Create(1.0, 2.0), ReadOnlyVector.Create(1.0, 0.0), 0);
        var dy = TensorView<double>.Create(new double[] { 1, 2, 3, 4 }, 2, 2);
        double s0 = Math.Sqrt(4 + Eps);
        double s1 = Math.Sqrt(0.25 + Eps);

        var gradients = BatchNorm.BackwardInference(dy, TwoByTwo, state);

        AssertClose([1 / s0, 2 * 2 / s1, 3 / s0, 4 * 2 / s1], gradients.InputGradient.ToArray());
        AssertClose([((1 * -1) + (3 * 1)) / s0, ((2 * -1) + (4 * 1)) / s1], gradients.GammaGradient!);
        AssertClose([4, 6], gradients.BetaGradient!);

        var withoutAffine = BatchNorm.BackwardInference(dy, TwoByTwo, state, new BatchNormConfig { Center = false, Scale = false });
        Assert.Null(withoutAffine.GammaGradient);
        Assert.Null(withoutAffine.BetaGradient);
        AssertClose([1 / s0, 2 / s1, 3 / s0, 4 / s1], withoutAffine.InputGradient.ToArray());
    }

    private static void AssertClose(double[] expected, IReadOnlyList<double> actual, double tolerance = Close)
    {
        Assert.Equal(expected.Length, actual.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(actual[i] - expected[i]) <= tolerance, $"[{i}] = {actual[i]:R}, expected {expected[i]:R} ± {tolerance}");
        }
    }
}
