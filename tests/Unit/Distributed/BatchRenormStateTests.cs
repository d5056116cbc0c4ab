using BnNative.Collections;
using BnNative.Normalization;
using BnNative.Tests.Core;

namespace BnNative.Tests.Distributed;

/// <summary>
/// <see cref="BatchRenormState{T}"/> (SPEC §8: renorm_mean init 0, renorm_stddev init 1, moving_stddev init 1) and the
/// <see cref="BatchNormState{T}.Renorm"/> property that carries it.
/// </summary>
public sealed class BatchRenormStateTests
{
    [Fact]
    public void InitHasTheDocumentedValues()
    {
        var state = BatchRenormState<double>.Init(3);

        Assert.Equal(3, state.Channels);
        Assert.Equal([0.0, 0.0, 0.0], state.RenormMean);
        Assert.Equal([1.0, 1.0, 1.0], state.RenormStddev);
        Assert.Equal([1.0, 1.0, 1.0], state.MovingStddev);
        Assert.Equal([0f, 0f], BatchRenormState<float>.Init(2).RenormMean);
        Assert.Equal([1f, 1f], BatchRenormState<float>.Init(2).MovingStddev);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-4)]
    public void InitNeedsAChannel(int channels) =>
        ParamAssert.Throws<ArgumentOutOfRangeException>("channels", () => BatchRenormState<double>.Init(channels));

    [Fact]
    public void EqualityComparesContents()
    {
        Assert.Equal(Renorm([1, -2], [3, 4], [5, 6]), Renorm([1, -2], [3, 4], [5, 6]));
        Assert.NotEqual(Renorm([1, -2], [3, 4], [5, 6]), Renorm([1, 2], [3, 4], [5, 6]));
        Assert.NotEqual(Renorm([1, -2], [3, 4], [5, 6]), Renorm([1, -2], [3, 4.5], [5, 6]));
        Assert.NotEqual(Renorm([1, -2], [3, 4], [5, 6]), Renorm([1, -2], [3, 4], [5, 7]));
    }

    [Fact]
    public void NullsEmptinessAndOtherLengthsAreRejected()
    {
        var one = ReadOnlyVector.Create(1.0);
        ParamAssert.Throws<ArgumentNullException>("renormMean", () => new BatchRenormState<double>(null!, one, one));
        ParamAssert.Throws<ArgumentNullException>("renormStddev", () => new BatchRenormState<double>(one, null!, one));
        ParamAssert.Throws<ArgumentNullException>("movingStddev", () => new BatchRenormState<double>(one, one, null!));
        ParamAssert.Throws<ArgumentException>("renormMean", () => Renorm([], [], []));
        var error = ParamAssert.Throws<ArgumentException>("renormStddev", () => Renorm([0, 0], [1], [1, 1]));
        Assert.Contains("1 channels", error.Message, StringComparison.Ordinal);
        ParamAssert.Throws<ArgumentException>("movingStddev", () => Renorm([0, 0], [1, 1], [1, 1, 1]));
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(-1e-300)]
    [InlineData(double.NegativeInfinity)]
    public void AStandardDeviationBelowZeroIsRejected(double bad)
    {
        var error = ParamAssert.Throws<ArgumentOutOfRangeException>("renormStddev", () => Renorm([0, 0], [1, bad], [1, 1]));
        Assert.Contains("renormStddev[1]", error.Message, StringComparison.Ordinal);
        ParamAssert.Throws<ArgumentOutOfRangeException>("movingStddev", () => Renorm([0, 0], [1, 1], [bad, 1]));
    }

    [Fact]
    public void ZeroNegativeZeroInfinityNaNAndAnyMeanAreAccepted()
    {
        var state = Renorm([-1e300, double.NaN], [0, -0.0], [double.PositiveInfinity, 0]);
        var poisoned = Renorm([0, 0], [double.NaN, 1], [1, double.NaN]);

        Assert.Equal(2, state.Channels);
        Assert.True(double.IsNaN(poisoned.RenormStddev[0]));
    }

    [Fact]
    public void ALayerStateCarriesARenormStateOnlyWhenTheConfigAsksForOne()
    {
        var renormConfig = new BatchNormConfig { Renorm = new BatchRenorm(3, 5) };

        Assert.Null(BatchNormState<double>.Init(2).Renorm);
        Assert.Null(BatchNormState<double>.Init(2, BatchNormConfig.Keras).Renorm);
        Assert.Equal(BatchRenormState<double>.Init(2), BatchNormState<double>.Init(2, renormConfig).Renorm);
        Assert.Equal(BatchRenormState<float>.Init(4), BatchNormState<float>.Init(4, renormConfig).Renorm);
        Assert.NotEqual(BatchNormState<double>.Init(2), BatchNormState<double>.Init(2, renormConfig));
        Assert.Equal(BatchNormState<double>.Init(2, renormConfig), BatchNormState<double>.Init(2) with { Renorm = BatchRenormState<double>.Init(2) });
    }

    [Fact]
    public void ARenormStateOfAnotherChannelCountIsRejected()
    {
        var state = BatchNormState<double>.Init(2);

        var error = ParamAssert.Throws<ArgumentException>("Renorm", () => state with { Renorm = BatchRenormState<double>.Init(3) });

        Assert.Contains("3 channels", error.Message, StringComparison.Ordinal);
        Assert.Contains("2", error.Message, StringComparison.Ordinal);
        Assert.Null((BatchNormState<double>.Init(2, new BatchNormConfig { Renorm = new BatchRenorm(3, 5) }) with { Renorm = null }).Renorm);
    }

    [Fact]
    public void OtherWithExpressionsKeepTheRenormState()
    {
        var renorm = Renorm([1, 2], [3, 4], [5, 6]);
        var state = BatchNormState<double>.Init(2) with { Renorm = renorm };

        var changed = state with { Gamma = ReadOnlyVector.Create(2.0, 2.0), Step = 4 };

        Assert.Same(renorm, changed.Renorm);
    }

    private static BatchRenormState<double> Renorm(double[] mean, double[] stddev, double[] movingStddev) =>
        new(ReadOnlyVector.Create(mean), ReadOnlyVector.Create(stddev), ReadOnlyVector.Create(movingStddev));
}
