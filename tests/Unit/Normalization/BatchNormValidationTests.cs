using BnNative.Collections;
using BnNative.Moments;
using BnNative.Normalization;
using BnNative.Tensors;
using BnNative.Tests.Core;

namespace BnNative.Tests.Normalization;

/// <summary>
/// SPEC §10: every bad input to a step throws the documented exception naming the parameter, before anything is
/// written, and leaves the caller's state as it was.
/// </summary>
public sealed class BatchNormValidationTests
{
    /// <summary>A state with no initial value left, to compare against after a failed step.</summary>
    private static readonly BatchNormState<double> ThreeChannels = State(3);

    [Fact]
    public void RankOneIsRejected()
    {
        var x = TensorView<double>.Create(new double[] { 1, 2, 3 }, 3);
        var state = State(3);

        var error = ParamAssert.Throws<ArgumentException>("x", () => BatchNorm.Train(x, state));
        Assert.Contains("rank 1", error.Message, StringComparison.Ordinal);
        ParamAssert.Throws<ArgumentException>("x", () => BatchNorm.Infer(x, state));
        ParamAssert.Throws<ArgumentException>("x", () => BatchNorm.BackwardInference(x, x, state));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(-5)]
    public void AxisOutOfRangeIsRejected(int axis)
    {
        var x = Input(2, 3, 2, 2);
        var config = new BatchNormConfig { Axis = axis, EmaUpdate = EmaUpdate.Skip };

        var error = ParamAssert.Throws<ArgumentOutOfRangeException>("axis", () => BatchNorm.Train(x, ThreeChannels, config));
        Assert.Contains(axis.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
        ParamAssert.Throws<ArgumentOutOfRangeException>("axis", () => BatchNorm.Infer(x, ThreeChannels, config));
        ParamAssert.Throws<ArgumentOutOfRangeException>("axis", () => BatchNorm.BackwardInference(x, x, ThreeChannels, config));
    }

    [Fact]
    public void ChannelCountOtherThanTheStatesIsRejected()
    {
        var nhwc = Input(2, 2, 2, 4);
        var nchw = Input(2, 4, 2, 2);
        var channelsFirst = new BatchNormConfig { DataFormat = DataFormat.ChannelsFirst };

        var error = ParamAssert.Throws<ArgumentException>("state", () => BatchNorm.Train(nhwc, ThreeChannels));
        Assert.Contains("4 channels", error.Message, StringComparison.Ordinal);
        Assert.Contains("3", error.Message, StringComparison.Ordinal);
        ParamAssert.Throws<ArgumentException>("state", () => BatchNorm.Train(nchw, ThreeChannels, channelsFirst));
        ParamAssert.Throws<ArgumentException>("state", () => BatchNorm.Infer(nhwc, ThreeChannels));
        ParamAssert.Throws<ArgumentException>("state", () => BatchNorm.BackwardInference(nchw, nchw, ThreeChannels, channelsFirst));
        ParamAssert.Throws<ArgumentException>("state", () => BatchNorm.Train(Input(2, 3, 2, 2), ThreeChannels));
    }

    [Fact]
    public void AnEmptyBatchIsRejected()
    {
        var empty = TensorView<double>.Create(Array.Empty<double>(), 0, 3);
        var config = new BatchNormConfig { EmaUpdate = EmaUpdate.Skip };

        var error = ParamAssert.Throws<ArgumentException>("x", () => BatchNorm.Train(empty, ThreeChannels, config));
        Assert.Contains("no elements", error.Message, StringComparison.Ordinal);
        ParamAssert.Throws<ArgumentException>("x", () => BatchNorm.Infer(empty, ThreeChannels, config));
    }

    [Fact]
    public void DestinationOfOtherLengthsIsRejectedAndNotWritten()
    {
        var x = Input(2, 3);
        foreach (var destination in new[] { Tensor<double>.Zeros(2, 4), Tensor<double>.Zeros(3, 2), Tensor<double>.Zeros(2, 3, 1) })
        {
            var error = ParamAssert.Throws<ArgumentException>("destination", () => BatchNorm.Train(x, ThreeChannels, null, destination));
            Assert.Contains("destination", error.Message, StringComparison.Ordinal);
            ParamAssert.Throws<ArgumentException>("destination", () => BatchNorm.Infer(x, ThreeChannels, null, destination));
            Assert.All(destination.Data, value => Assert.Equal(0, value));
        }

        ParamAssert.Throws<ArgumentNullException>("destination", () => BatchNorm.Infer(x, ThreeChannels, null, null!));
    }

    [Fact]
    public void DyOfOtherLengthsIsRejected()
    {
        var x = Input(4, 3);
        var train = BatchNorm.Train(x, ThreeChannels);

        foreach (var dy in new[] { Tensor<double>.Zeros(4, 2), Tensor<double>.Zeros(3, 4), Tensor<double>.Zeros(4, 3, 1) })
        {
            ParamAssert.Throws<ArgumentException>("dy", () => BatchNorm.Backward(dy, train));
            ParamAssert.Throws<ArgumentException>("dy", () => BatchNorm.BackwardInference(dy, x, ThreeChannels));
        }
    }

    [Fact]
    public void NullArgumentsAreNamed()
    {
        var x = Input(4, 3);
        var train = BatchNorm.Train(x, ThreeChannels);

        ParamAssert.Throws<ArgumentNullException>("x", () => BatchNorm.Train<double>(null!, ThreeChannels));
        ParamAssert.Throws<ArgumentNullException>("state", () => BatchNorm.Train(x, null!));
        ParamAssert.Throws<ArgumentNullException>("x", () => BatchNorm.Infer<double>(null!, ThreeChannels));
        ParamAssert.Throws<ArgumentNullException>("dy", () => BatchNorm.Backward(null!, train));
        ParamAssert.Throws<ArgumentNullException>("train", () => BatchNorm.Backward<double>(x, null!));
        ParamAssert.Throws<ArgumentNullException>("dy", () => BatchNorm.BackwardInference(null!, x, ThreeChannels));
        ParamAssert.Throws<ArgumentNullException>("x", () => BatchNorm.BackwardInference(x, null!, ThreeChannels));
    }

    [Fact]
    public void OneElementPerChannelNeedsTheBiasedVarianceOrSkip()
    {
        var rank4 = Input(1, 1, 1, 3);
        var rank2 = Input(1, 3);

        foreach (var update in new[] { EmaUpdate.Collection, EmaUpdate.Internal })
        {
            var config = new BatchNormConfig { EmaUpdate = update };
            var error = ParamAssert.Throws<ArgumentException>("x", () => BatchNorm.Train(rank4, ThreeChannels, config));
            Assert.Contains("n = 1", error.Message, StringComparison.Ordinal);
            ParamAssert.Throws<ArgumentException>("x", () => BatchNorm.Train(rank2, ThreeChannels, config with { MovingVariance = VarianceEstimator.Unbiased }));
            ParamAssert.Throws<ArgumentException>("x", () => BatchNorm.Train(rank2, ThreeChannels, BatchNormConfig.PyTorch with { EmaUpdate = update }));

            // tensorpack's rank-2 rule and an explicit biased estimator both accept n = 1: the variance is 0, y = beta.
            Assert.Equal(ThreeChannels.Beta, Output(BatchNorm.Train(rank2, ThreeChannels, config)));
            Assert.Equal(ThreeChannels.Beta, Output(BatchNorm.Train(rank4, ThreeChannels, config with { MovingVariance = VarianceEstimator.Biased })));
        }

        var skipped = BatchNorm.Train(rank4, ThreeChannels, new BatchNormConfig { EmaUpdate = EmaUpdate.Skip });
        Assert.Equal(ThreeChannels.Beta, Output(skipped));
        Assert.Same(ThreeChannels, skipped.NextState);
        Assert.Null(skipped.PendingTransition);
    }

    [Fact]
    public void TransitionFromOneElementWithTheUnbiasedVarianceIsRejected()
    {
        var moments = new BatchMoments(1, ReadOnlyVector.Create(2.0), ReadOnlyVector.Create(0.0));

        ParamAssert.Throws<ArgumentException>("moments", () => EmaTransition.From(moments, BatchNormConfig.Tensorpack, 4));
        Assert.Equal(ReadOnlyVector.Create(0.0), EmaTransition.From(moments, BatchNormConfig.Tensorpack, 2).Variance);
    }

    [Fact]
    public void TransitionForOtherChannelsIsRejected()
    {
        var transition = BatchNorm.Train(Input(4, 3), ThreeChannels).PendingTransition!;

        var error = ParamAssert.Throws<ArgumentException>("state", () => transition.Apply(BatchNormState<double>.Init(4)));
        Assert.Contains("4 channels", error.Message, StringComparison.Ordinal);
        ParamAssert.Throws<ArgumentNullException>("state", () => transition.Apply<double>(null!));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void NonFiniteValuesAreRejectedWhenCheckFiniteIsOn(double bad)
    {
        var x = Input(4, 3);
        x[2, 1] = bad;
        var single = TensorView<float>.Create(x.ToArray().Select(v => (float)v).ToArray(), 4, 3);
        var config = new BatchNormConfig { CheckFinite = true };

        var error = ParamAssert.Throws<ArgumentException>("x", () => BatchNorm.Train(x, ThreeChannels, config));
        Assert.Contains("CheckFinite", error.Message, StringComparison.Ordinal);
        ParamAssert.Throws<ArgumentException>("x", () => BatchNorm.Train(single, BatchNormState<float>.Init(3), config));
        ParamAssert.Throws<ArgumentException>("x", () => BatchNorm.Infer(x, ThreeChannels, config));
        ParamAssert.Throws<ArgumentException>("x", () => BatchNorm.BackwardInference(Input(4, 3), x, ThreeChannels, config));

        // Off (the default), the statistics check still refuses the step, naming the channel; with AllowNonFinite the
        // value only spoils its own channel.
        Assert.Equal([1], ParamAssert.Throws<NonFiniteStatisticsException>("x", () => BatchNorm.Train(x, ThreeChannels)).Channels);
        var output = BatchNorm.Train(x, ThreeChannels, new BatchNormConfig { AllowNonFinite = true }).Output;
        Assert.False(double.IsFinite(output[0, 1]));
        Assert.True(double.IsFinite(output[0, 0]) && double.IsFinite(output[0, 2]));
    }

    [Fact]
    public void NonFiniteValueInAPermutedViewIsFound()
    {
        var data = Input(3, 4).ToArray();
        data[7] = double.NaN;
        var x = TensorView<double>.Create(data, 3, 4).Permute(1, 0).Slice(0, 1, 3);

        ParamAssert.Throws<ArgumentException>("x", () => BatchNorm.Train(x, ThreeChannels, new BatchNormConfig { CheckFinite = true }));
    }

    /// <summary>Each failing call leaves the state equal to a snapshot taken before it and writes nothing into the destination.</summary>
    [Fact]
    public void AFailedStepLeavesTheStateAndTheDestinationUntouched()
    {
        var state = State(3);
        var snapshot = new BatchNormState<double>(
            ReadOnlyVector.Create(state.MovingMean.ToArray()),
            ReadOnlyVector.Create(state.MovingVariance.ToArray()),
            ReadOnlyVector.Create(state.Gamma.ToArray()),
            ReadOnlyVector.Create(state.Beta.ToArray()),
            state.Step);
        var nan = Input(4, 3);
        nan[1, 1] = double.NaN;
        var destination = Tensor<double>.Zeros(4, 3);
        var internalUpdate = new BatchNormConfig { EmaUpdate = EmaUpdate.Internal };
        var failures = new Action[]
        {
            () => BatchNorm.Train(nan, state, internalUpdate with { CheckFinite = true }, destination),
            () => BatchNorm.Train(nan, state, internalUpdate, destination),
            () => BatchNorm.Train(Input(1, 1, 1, 3), state, internalUpdate, Tensor<double>.Zeros(1, 1, 1, 3)),
            () => BatchNorm.Train(Input(4, 3), state, internalUpdate with { Axis = 2 }, destination),
            () => BatchNorm.Train(Input(4, 3), state, internalUpdate, Tensor<double>.Zeros(3, 4)),
            () => BatchNorm.Infer(nan, state, internalUpdate with { CheckFinite = true }, destination),
        };

        foreach (var failure in failures)
        {
            Assert.ThrowsAny<ArgumentException>(failure);
            Assert.Equal(snapshot, state);
            Assert.All(destination.Data, value => Assert.Equal(0, value));
        }
    }

    /// <summary>A row-major [d0, d1, …] tensor of distinct values.</summary>
    private static TensorView<double> Input(params int[] lengths)
    {
        var shape = TensorShape.RowMajor(lengths);
        var data = Enumerable.Range(0, (int)shape.ElementCount).Select(i => (i * 0.37) - (i % 3)).ToArray();
        return new TensorView<double>(data, shape);
    }

    private static BatchNormState<double> State(int channels) =>
        new(
            ReadOnlyVector.Create(Enumerable.Range(0, channels).Select(c => c - 0.5).ToArray()),
            ReadOnlyVector.Create(Enumerable.Range(0, channels).Select(c => c + 2.0).ToArray()),
            ReadOnlyVector.Create(Enumerable.Range(0, channels).Select(c => 1.5 - c).ToArray()),
            ReadOnlyVector.Create(Enumerable.Range(0, channels).Select(c => 0.25 * c).ToArray()),
            7);

    private static ReadOnlyVector<double> Output(BatchNormTrainResult<double> result) => ReadOnlyVector.Create(result.Output.ToArray());
}
