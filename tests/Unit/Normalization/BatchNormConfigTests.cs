using BnNative.Moments;
using BnNative.Normalization;
using BnNative.Tensors;
using BnNative.Tests.Core;

namespace BnNative.Tests.Normalization;

/// <summary>SPEC §4, §5, §10: the defaults, the presets, and every rejected setting with its parameter name.</summary>
public sealed class BatchNormConfigTests
{
    [Fact]
    public void DefaultsAreTensorpacks()
    {
        var config = new BatchNormConfig();

        Assert.Equal(0.9, config.Momentum);
        Assert.Equal(1e-5, config.Epsilon);
        Assert.True(config.Center);
        Assert.True(config.Scale);
        Assert.Equal(DataFormat.ChannelsLast, config.DataFormat);
        Assert.Null(config.Axis);
        Assert.Equal(EmaUpdate.Collection, config.EmaUpdate);
        Assert.Equal(EmaAverage.Exponential, config.EmaAverage);
        Assert.Null(config.MovingVariance);
        Assert.False(config.CheckFinite);
        Assert.Same(MomentsBackend.Auto, config.Moments);
        Assert.Equal(BatchNormConfig.Tensorpack, config);
    }

    [Theory]
    [InlineData(2, VarianceEstimator.Biased)]
    [InlineData(3, VarianceEstimator.Unbiased)]
    [InlineData(4, VarianceEstimator.Unbiased)]
    [InlineData(5, VarianceEstimator.Unbiased)]
    public void TensorpackFeedsTheBiasedVarianceForRankTwoOnly(int rank, VarianceEstimator expected)
    {
        Assert.Equal(expected, BatchNormConfig.Tensorpack.MovingVarianceFor(rank));
        Assert.Equal(VarianceEstimator.Biased, (BatchNormConfig.Tensorpack with { MovingVariance = VarianceEstimator.Biased }).MovingVarianceFor(rank));
        Assert.Equal(VarianceEstimator.Unbiased, (BatchNormConfig.Tensorpack with { MovingVariance = VarianceEstimator.Unbiased }).MovingVarianceFor(rank));
    }

    public static TheoryData<string, double, double, DataFormat, VarianceEstimator> Presets => new()
    {
        { nameof(BatchNormConfig.PyTorch), 0.9, 1e-5, DataFormat.ChannelsFirst, VarianceEstimator.Unbiased },
        { nameof(BatchNormConfig.Keras), 0.99, 1e-3, DataFormat.ChannelsLast, VarianceEstimator.Unbiased },
        { nameof(BatchNormConfig.Flax), 0.99, 1e-5, DataFormat.ChannelsLast, VarianceEstimator.Biased },
    };

    [Theory]
    [MemberData(nameof(Presets))]
    public void PresetsHaveTheDocumentedValues(string preset, double momentum, double epsilon, DataFormat format, VarianceEstimator estimator)
    {
        var config = preset switch
        {
            nameof(BatchNormConfig.PyTorch) => BatchNormConfig.PyTorch,
            nameof(BatchNormConfig.Keras) => BatchNormConfig.Keras,
            _ => BatchNormConfig.Flax,
        };

        Assert.Equal(momentum, config.Momentum, 15);
        Assert.Equal(epsilon, config.Epsilon);
        Assert.Equal(format, config.DataFormat);
        Assert.Equal(estimator, config.MovingVariance);
        Assert.Equal(EmaUpdate.Internal, config.EmaUpdate);
        Assert.True(config.Center);
        Assert.True(config.Scale);
        Assert.Null(config.Axis);
        Assert.Equal(EmaAverage.Exponential, config.EmaAverage);
        Assert.False(config.CheckFinite);
    }

    [Fact]
    public void PyTorchMomentumIsTorchsDefaultConverted() =>
        Assert.Equal(BatchNormConfig.FromPyTorchMomentum(0.1), BatchNormConfig.PyTorch.Momentum);

    [Theory]
    [InlineData(-0.01)]
    [InlineData(-1e-300)]
    [InlineData(1.0000001)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void MomentumOutsideTheUnitIntervalIsRejected(double momentum)
    {
        var error = ParamAssert.Throws<ArgumentOutOfRangeException>("Momentum", () => new BatchNormConfig { Momentum = momentum });
        Assert.Contains("[0, 1]", error.Message, StringComparison.Ordinal);
        ParamAssert.Throws<ArgumentOutOfRangeException>("Momentum", () => BatchNormConfig.Keras with { Momentum = momentum });
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(0.5)]
    public void MomentumAtOrInsideTheEndsIsAccepted(double momentum) =>
        Assert.Equal(momentum, new BatchNormConfig { Momentum = momentum }.Momentum);

    [Theory]
    [InlineData(-1e-12)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void EpsilonNegativeOrNotFiniteIsRejected(double epsilon)
    {
        var error = ParamAssert.Throws<ArgumentOutOfRangeException>("Epsilon", () => new BatchNormConfig { Epsilon = epsilon });
        Assert.Contains("Epsilon", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EpsilonZeroIsAccepted() => Assert.Equal(0, new BatchNormConfig { Epsilon = 0 }.Epsilon);

    [Fact]
    public void UndefinedEnumValuesAndANullBackendAreRejected()
    {
        ParamAssert.Throws<ArgumentOutOfRangeException>("DataFormat", () => new BatchNormConfig { DataFormat = (DataFormat)7 });
        ParamAssert.Throws<ArgumentOutOfRangeException>("EmaUpdate", () => new BatchNormConfig { EmaUpdate = (EmaUpdate)7 });
        ParamAssert.Throws<ArgumentOutOfRangeException>("EmaAverage", () => new BatchNormConfig { EmaAverage = (EmaAverage)7 });
        ParamAssert.Throws<ArgumentOutOfRangeException>("MovingVariance", () => new BatchNormConfig { MovingVariance = (VarianceEstimator)7 });
        ParamAssert.Throws<ArgumentNullException>("Moments", () => new BatchNormConfig { Moments = null! });
    }

    [Theory]
    [InlineData(0.1, 0.9)]
    [InlineData(0.01, 0.99)]
    [InlineData(0.0, 1.0)]
    [InlineData(1.0, 0.0)]
    public void FromPyTorchMomentumIsOneMinusIt(double pyTorch, double expected) =>
        Assert.Equal(expected, BatchNormConfig.FromPyTorchMomentum(pyTorch), 15);

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void FromPyTorchMomentumOutsideTheUnitIntervalIsRejected(double pyTorch) =>
        ParamAssert.Throws<ArgumentOutOfRangeException>("pyTorchMomentum", () => BatchNormConfig.FromPyTorchMomentum(pyTorch));
}
