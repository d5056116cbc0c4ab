using BnNative.Collections;
using BnNative.Normalization;
using BnNative.Tensors;
using BnNative.Tests.Distributed;

namespace BnNative.Tests.Normalization;

/// <summary>
/// SPEC §10, non-finite statistics: by default a training step whose batch statistics (of any ghost chunk) or next state
/// are NaN, ±∞ or too large for the element type throws <see cref="NonFiniteStatisticsException"/> (parameter <c>x</c>)
/// naming the channels, and writes nothing to the destination; <see cref="BatchNormConfig.AllowNonFinite"/> propagates
/// them instead, into the offending channels only.
/// </summary>
public sealed class NonFiniteStatisticsTests
{
    private const double Sentinel = -12345;

    public static TheoryData<EmaUpdate> Updates => [EmaUpdate.Internal, EmaUpdate.Collection, EmaUpdate.Skip];

    [Theory]
    [MemberData(nameof(Updates))]
    public void NanInOneChannelFailsNamingItAndWritesNothing(EmaUpdate update)
    {
        var x = Images(channels: 3);
        Poison(x, channel: 2, double.NaN);

        var error = AssertRefused(x, new BatchNormConfig { DataFormat = DataFormat.ChannelsFirst, EmaUpdate = update });

        Assert.Equal([2], error.Channels);
        Assert.Equal(["batch mean", "batch variance"], error.Statistics.Select(s => s.Quantity));
        Assert.All(error.Statistics, s => Assert.True(double.IsNaN(s.Value) && !s.Overflows && s.Chunk is null));
        Assert.StartsWith(
            "Non-finite batch statistics for x [8, 3, 4, 4] float64 (channel axis 1): channel 2 batch mean NaN, batch variance NaN (the input holds NaN",
            error.Message,
            StringComparison.Ordinal);
        Assert.Contains("set BatchNormConfig.AllowNonFinite to propagate them.", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("AllowNonFinite", error.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void AnInfinityFailsNamingItsChannel(double infinity)
    {
        var x = Images(channels: 4);
        Poison(x, channel: 1, infinity);

        var error = AssertRefused(x, new BatchNormConfig { DataFormat = DataFormat.ChannelsFirst });

        Assert.Equal([1], error.Channels);
        Assert.Equal(infinity, error.Statistics.Single(s => s.Quantity == "batch mean").Value);
        Assert.Contains("channel 1 batch mean " + (infinity > 0 ? "+∞" : "-∞"), error.Message, StringComparison.Ordinal);
    }

    /// <summary>float32 values near ±1e30: the double variance ~1e60 (or +∞ where a backend squares in float) does not fit float32.</summary>
    [Fact]
    public void AFloat32VarianceThatOverflowsIsRefused()
    {
        var data = new float[8 * 2];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = i % 2 == 0 ? (i % 4 == 0 ? 1e30f : -1e30f) : i;
        }

        var x = TensorView<float>.Create(data, 8, 2);
        var destination = Filled<float>(8, 2);
        var state = BatchNormState<float>.Init(2);

        var error = Assert.Throws<NonFiniteStatisticsException>(() =>
            BatchNorm.Train(x, state, new BatchNormConfig { Moments = Moments.MomentsBackend.Reference }, destination));

        Assert.Equal("x", error.ParamName);
        Assert.Equal([0], error.Channels);
        var variance = error.Statistics.Single();
        Assert.Equal("batch variance", variance.Quantity);
        Assert.True(variance.Overflows);
        Assert.InRange(variance.Value, 1e60, 1.00001e60);
        Assert.Contains("channel 0 batch variance 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("overflows float32 (max 3.4028235E+38)", error.Message, StringComparison.Ordinal);
        Assert.All(destination.ToArray(), value => Assert.Equal((float)Sentinel, value));

        // With the default backend too (it may square in float and see +∞ instead): still refused, still channel 0.
        Assert.Equal([0], Assert.Throws<NonFiniteStatisticsException>(() => BatchNorm.Train(x, state)).Channels);
    }

    /// <summary>float64 values near ±1e200: the variance 1e400 is +∞ in double (the reference backend's value).</summary>
    [Fact]
    public void AFloat64VarianceThatOverflowsToInfinityIsRefused()
    {
        var x = TensorView<double>.Create(new[] { 1e200, 1, -1e200, 2, 1e200, 3, -1e200, 4 }, 4, 2);

        var error = AssertRefused(x, new BatchNormConfig { Moments = Moments.MomentsBackend.Reference });

        Assert.Equal([0], error.Channels);
        Assert.Equal(double.PositiveInfinity, error.Statistics.Single(s => s.Quantity == "batch variance").Value);

        // A backend that sums shifted squares may reach ∞ − ∞ = NaN instead; refused all the same.
        Assert.Equal([0], AssertRefused(x, null).Channels);
    }

    [Fact]
    public void AllowNonFinitePropagatesNanIntoItsChannelOnly()
    {
        var x = Images(channels: 3);
        Poison(x, channel: 1, double.NaN);
        var config = new BatchNormConfig { DataFormat = DataFormat.ChannelsFirst, EmaUpdate = EmaUpdate.Internal, AllowNonFinite = true };

        var result = BatchNorm.Train(x, BatchNormState<double>.Init(3), config);

        var clean = BatchNorm.Train(Images(channels: 3), BatchNormState<double>.Init(3), config);
        var y = result.Output;
        for (int c = 0; c < 3; c++)
        {
            var channel = y.Slice(1, c, 1).ToArray();
            if (c == 1)
            {
                Assert.All(channel, value => Assert.True(double.IsNaN(value)));
                Assert.True(double.IsNaN(result.NextState.MovingMean[c]) && double.IsNaN(result.NextState.MovingVariance[c]));
            }
            else
            {
                Assert.Equal(clean.Output.Slice(1, c, 1).ToArray(), channel);
                Assert.Equal(clean.NextState.MovingMean[c], result.NextState.MovingMean[c]);
            }
        }
    }

    [Theory]
    [InlineData(EmaUpdate.Internal)]
    [InlineData(EmaUpdate.Collection)]
    public void ANonFiniteIncomingStateIsRefusedAsTheNextState(EmaUpdate update)
    {
        var x = Images(channels: 3);
        var state = BatchNormState<double>.Init(3) with { MovingVariance = ReadOnlyVector.Create(1.0, double.PositiveInfinity, 1.0) };

        var error = AssertRefused(x, new BatchNormConfig { DataFormat = DataFormat.ChannelsFirst, EmaUpdate = update }, state);

        Assert.Equal([1], error.Channels);
        Assert.Equal("variance/EMA", error.Statistics.Single().Quantity);
        Assert.StartsWith("Non-finite next state for x", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SkipChecksOnlyTheBatchStatistics()
    {
        var state = BatchNormState<double>.Init(3) with { MovingMean = ReadOnlyVector.Create(0.0, double.NaN, 0.0) };

        var result = BatchNorm.Train(Images(channels: 3), state, new BatchNormConfig { DataFormat = DataFormat.ChannelsFirst, EmaUpdate = EmaUpdate.Skip });

        Assert.Same(state, result.NextState);
    }

    /// <summary>
    /// float32 ±1.8e19: the biased variance 3.24e38 fits float32, the unbiased one (n = 4) 4.32e38 does not, so with
    /// momentum 0 the next moving variance would be +∞.
    /// </summary>
    [Fact]
    public void AMovingVarianceThatOverflowsFloat32IsRefused()
    {
        var x = TensorView<float>.Create(new[] { 1.8e19f, -1.8e19f, 1.8e19f, -1.8e19f }, 4, 1);
        var config = new BatchNormConfig
        {
            Momentum = 0, MovingVariance = Moments.VarianceEstimator.Unbiased, EmaUpdate = EmaUpdate.Internal, Moments = Moments.MomentsBackend.Reference,
        };

        var error = Assert.Throws<NonFiniteStatisticsException>(() => BatchNorm.Train(x, BatchNormState<float>.Init(1), config));

        Assert.Equal("variance/EMA", error.Statistics.Single().Quantity);
        Assert.Equal(double.PositiveInfinity, error.Statistics.Single().Value);
        Assert.Contains("channel 0 variance/EMA +∞", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OnlyThePoisonedGhostChunkIsReported()
    {
        var x = Images(channels: 3);
        var second = x.Slice(0, 4, 4);
        second[1, 0, 2, 3] = double.NaN;
        var config = new BatchNormConfig { DataFormat = DataFormat.ChannelsFirst, VirtualBatchSize = 4 };

        var error = AssertRefused(x, config);

        Assert.Equal([0], error.Channels);
        Assert.All(error.Statistics, s => Assert.Equal(1, s.Chunk));
        Assert.Contains("ghost chunk 1 (samples 4–7) channel 0 batch mean NaN", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RenormIsCheckedBeforeItsStateIsBuilt()
    {
        var x = Images(channels: 2);
        Poison(x, channel: 0, double.PositiveInfinity);
        var config = new BatchNormConfig { DataFormat = DataFormat.ChannelsFirst, EmaUpdate = EmaUpdate.Internal, Renorm = new BatchRenorm(3, 5) };

        var error = AssertRefused(x, config, BatchNormState<double>.Init(2, config));

        Assert.Equal([0], error.Channels);
        Assert.Contains(error.Statistics, s => s.Quantity == "batch mean");
    }

    [Fact]
    public void ARenormStateOverflowIsNamedByItsKey()
    {
        var x = TensorView<float>.Create(new[] { 1f, 3f, 1f, 3f }, 4, 1);
        var config = new BatchNormConfig { EmaUpdate = EmaUpdate.Internal, Renorm = new BatchRenorm(3, 5) };
        var state = BatchNormState<float>.Init(1, config) with
        {
            Renorm = new BatchRenormState<float>(ReadOnlyVector.Create(float.NegativeInfinity), ReadOnlyVector.Create(1f), ReadOnlyVector.Create(1f)),
        };

        var error = Assert.Throws<NonFiniteStatisticsException>(() => BatchNorm.Train(x, state, config));

        Assert.Contains(error.Statistics, s => s.Quantity == "renorm_mean");
    }

    /// <summary>With the opt-out, a NaN propagates into the renorm state of its channel only, as it does into the moving statistics.</summary>
    [Fact]
    public void WithTheOptOutANaNPropagatesIntoTheRenormStateOfItsChannel()
    {
        var x = TensorView<float>.Create(new[] { 1f, float.NaN, 3f, 4f, 1f, 6f }, 3, 2);
        var config = new BatchNormConfig { EmaUpdate = EmaUpdate.Internal, Renorm = new BatchRenorm(3, 5), AllowNonFinite = true };

        var next = BatchNorm.Train(x, BatchNormState<float>.Init(2, config), config).NextState;

        Assert.True(float.IsNaN(next.MovingMean[1]));
        Assert.True(float.IsNaN(next.Renorm!.RenormMean[1]));
        Assert.True(float.IsNaN(next.Renorm.RenormStddev[1]));
        Assert.True(float.IsFinite(next.MovingMean[0]) && float.IsFinite(next.Renorm.RenormStddev[0]) && float.IsFinite(next.Renorm.MovingStddev[0]));
    }

    /// <summary>eps = 0 and a constant channel: the statistics are finite but the inverse std is +∞ (the output would be NaN).</summary>
    [Fact]
    public void AnInfiniteInverseStdIsRefusedWithItsCause()
    {
        var x = TensorView<double>.Create(new double[] { 5, 1, 5, 2 }, 2, 2);

        var error = Assert.Throws<NonFiniteStatisticsException>(() => BatchNorm.Train(x, BatchNormState<double>.Init(2), new BatchNormConfig { Epsilon = 0 }));

        Assert.Equal("inverse std", error.Statistics.Single().Quantity);
        Assert.Contains("a variance of 0 with epsilon 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ManyChannelsAreListedUpToAHandful()
    {
        var x = Images(channels: 7);
        for (int c = 0; c < 7; c++)
        {
            Poison(x, c, double.NaN);
        }

        var error = AssertRefused(x, new BatchNormConfig { DataFormat = DataFormat.ChannelsFirst });

        Assert.Equal(Enumerable.Range(0, 7), error.Channels);
        Assert.Contains("channel 3 batch mean NaN, batch variance NaN; and 3 more (", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("channel 4", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The check runs on the merged statistics: a NaN on one replica fails both alike, and neither waits.</summary>
    [Fact]
    public async Task ASynchronizedStepFailsOnEveryReplicaAlike()
    {
        var outcomes = await Replicas.Each(2, exchange =>
        {
            var x = Images(channels: 3);
            if (exchange.Rank == 1)
            {
                Poison(x, channel: 2, double.NaN);
            }

            return BatchNorm.Train(x, BatchNormState<double>.Init(3), new BatchNormConfig { DataFormat = DataFormat.ChannelsFirst }, exchange);
        });

        var errors = outcomes.Select(outcome => Assert.IsType<NonFiniteStatisticsException>(outcome.Error)).ToArray();
        Assert.All(errors, error => Assert.Equal([2], error.Channels));
        Assert.Equal(errors[0].Message, errors[1].Message);
        Assert.Equal(errors[0].Statistics, errors[1].Statistics);
    }

    private static NonFiniteStatisticsException AssertRefused(TensorView<double> x, BatchNormConfig? config, BatchNormState<double>? state = null)
    {
        int channels = x.Lengths[config?.DataFormat == DataFormat.ChannelsFirst ? 1 : x.Rank - 1];
        state ??= BatchNormState<double>.Init(channels);
        var destination = Filled<double>(x.Lengths.ToArray());

        var error = Assert.Throws<NonFiniteStatisticsException>(() => BatchNorm.Train(x, state, config, destination));

        Assert.Equal("x", error.ParamName);
        Assert.All(destination.ToArray(), value => Assert.Equal(Sentinel, value));
        Assert.IsAssignableFrom<ArgumentException>(error);
        return error;
    }

    /// <summary>NCHW [8, C, 4, 4] with values around a per-channel offset.</summary>
    private static TensorView<double> Images(int channels)
    {
        var data = new double[8 * channels * 16];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = ((i * 7919) % 13) + (10 * (i / 16 % channels));
        }

        return TensorView<double>.Create(data, 8, channels, 4, 4);
    }

    private static void Poison(TensorView<double> x, int channel, double value) => x[5, channel, 1, 2] = value;

    private static TensorView<T> Filled<T>(params int[] lengths)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var tensor = Tensor<T>.Zeros(lengths);
        Array.Fill(tensor.Data, T.CreateTruncating(Sentinel));
        return tensor.View;
    }
}
