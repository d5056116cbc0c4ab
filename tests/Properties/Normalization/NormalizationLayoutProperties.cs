using System.Numerics;
using BnNative.Collections;
using BnNative.Moments;
using BnNative.Normalization;
using BnNative.Tensors;
using static BnNative.Tests.Properties.Normalization.NormalizationAssert;
using static BnNative.Testing.NormalizationGenerators;
using static BnNative.Testing.TensorGenerators;
using static BnNative.Tests.Properties.Normalization.StepGenerators;

namespace BnNative.Tests.Properties.Normalization;

/// <summary>
/// SPEC §2: a training step does not depend on memory layout. The same logical channels-first tensor (NCL, NCHW,
/// NCDHW) normalized channels-first, copied to channels-last (NHWC) and normalized with channels_last, and viewed
/// channels-last over the channels-first memory gives the same output (compared after permuting back) and the same
/// next state, to the rounding of the backend's moments.
/// </summary>
public sealed class NormalizationLayoutProperties
{
    private const int MaxTest = 100;

    /// <summary>Three layouts of one logical tensor, one backend, internal EMA update.</summary>
    [BackendTheory]
    public void OutputAndNextStateDoNotDependOnLayout(string backend)
    {
        var moments = TestBackends.Get(backend);
        PropertyCheck.ForAll(
            Cases(ChannelsFirstInputs(BothTypes)),
            step => step.Run(s => Check<float>(s, moments), s => Check<double>(s, moments)),
            MaxTest);
    }

    private static void Check<T>(NormalizationCase step, MomentsBackend moments)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rank = step.Tensor.Rank;
        int[] toChannelsLast = [0, .. Enumerable.Range(2, rank - 2), 1];
        int[] toChannelsFirst = [0, rank - 1, .. Enumerable.Range(1, rank - 2)];
        var channelsFirst = step.Config(moments, EmaUpdate.Internal);
        var channelsLast = channelsFirst with { DataFormat = DataFormat.ChannelsLast };
        var nchw = step.Input<T>();
        var state = step.State<T>();

        var expected = BatchNorm.Train(nchw, state, channelsFirst);
        var copied = BatchNorm.Train(nchw.Permute(toChannelsLast).ToContiguous(), state, channelsLast);
        var viewed = BatchNorm.Train(nchw.Permute(toChannelsLast), state, channelsLast);

        // Each output is within one bound of the reference, so within two of each other.
        var tolerance = OutputTolerance.Training(step, MomentTolerance.For(step.Tensor));
        var y = Values(expected.Output);
        tolerance.Verify(y, Values(copied.Output.Permute(toChannelsFirst)), factor: 2);
        tolerance.Verify(y, Values(viewed.Output.Permute(toChannelsFirst)), factor: 2);
        Assert.Equal(rank - 1, copied.ChannelAxis);
        foreach (var other in new[] { copied, viewed })
        {
            AssertSameNextState(step, channelsFirst, expected.NextState, other.NextState);
        }
    }

    /// <summary>
    /// moving ← m·moving + (1 − m)·batch: batch statistics within Δ of the exact ones move the result by (1 − m)·2Δ
    /// between two layouts (the unbiased variance by n/(n − 1) ≤ 2 times more), and each result rounds once to T (4u of the larger covers both and the double steps).
    /// </summary>
    private static void AssertSameNextState<T>(NormalizationCase step, BatchNormConfig config, BatchNormState<T> expected, BatchNormState<T> actual)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (meanError, varianceError) = MomentTolerance.For(step.Tensor).Bounds(step.Tensor.Statistics());
        double unbiasing = config.MovingVarianceFor(step.Tensor.Rank) == VarianceEstimator.Unbiased ? 2 : 1;
        double u = step.UnitRoundoff;
        for (int c = 0; c < step.Channels; c++)
        {
            AssertClose("moving mean", c, expected.MovingMean, actual.MovingMean, (1 - step.Momentum) * 2 * meanError[c], u);
            AssertClose("moving variance", c, expected.MovingVariance, actual.MovingVariance, (1 - step.Momentum) * 2 * unbiasing * varianceError[c], u);
        }

        BitwiseEqual(expected with { MovingMean = actual.MovingMean, MovingVariance = actual.MovingVariance }, actual);
    }

    private static void AssertClose<T>(string what, int c, ReadOnlyVector<T> expected, ReadOnlyVector<T> actual, double bound, double unitRoundoff)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double e = double.CreateTruncating(expected[c]);
        double a = double.CreateTruncating(actual[c]);
        Within($"{what}[{c}]", e, a, bound + (4 * unitRoundoff * Math.Max(Math.Abs(e), Math.Abs(a))));
    }
}
