using BnNative.Collections;
using BnNative.Normalization;
using BnNative.Tests.Core;

namespace BnNative.Tests.Normalization;

/// <summary>SPEC §4 state: the initial values, value equality, and the rejected constructions with their parameter names.</summary>
public sealed class BatchNormStateTests
{
    [Fact]
    public void InitHasTheDocumentedValues()
    {
        var state = BatchNormState<double>.Init(3);

        Assert.Equal(3, state.Channels);
        Assert.Equal([0.0, 0.0, 0.0], state.MovingMean);
        Assert.Equal([1.0, 1.0, 1.0], state.MovingVariance);
        Assert.Equal([1.0, 1.0, 1.0], state.Gamma);
        Assert.Equal([0.0, 0.0, 0.0], state.Beta);
        Assert.Equal(0, state.Step);
        Assert.Equal(BatchNormState<double>.Init(3), BatchNormState<double>.Init(3, BatchNormConfig.PyTorch));
        Assert.Equal([1f, 1f], BatchNormState<float>.Init(2).MovingVariance);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void InitNeedsAChannel(int channels) =>
        ParamAssert.Throws<ArgumentOutOfRangeException>("channels", () => BatchNormState<double>.Init(channels));

    [Fact]
    public void EqualityComparesContents()
    {
        var state = State([1, 2], [3, 4], [5, 6], [7, 8], 2);

        Assert.Equal(state, State([1, 2], [3, 4], [5, 6], [7, 8], 2));
        Assert.NotEqual(state, State([1, 2], [3, 4], [5, 6], [7, 8], 3));
        Assert.NotEqual(state, State([1, 2], [3, 4.5], [5, 6], [7, 8], 2));
        Assert.NotEqual(state, State([1, 2], [3, 4], [5, 6], [7, -8], 2));
    }

    [Fact]
    public void VectorsOfDifferentLengthsAreRejected()
    {
        ParamAssert.Throws<ArgumentException>("movingVariance", () => State([0, 0], [1], [1, 1], [0, 0], 0));
        ParamAssert.Throws<ArgumentException>("gamma", () => State([0, 0], [1, 1], [1, 1, 1], [0, 0], 0));
        ParamAssert.Throws<ArgumentException>("beta", () => State([0, 0], [1, 1], [1, 1], [0], 0));
        ParamAssert.Throws<ArgumentException>("movingMean", () => State([], [], [], [], 0));
    }

    [Fact]
    public void NullVectorsNegativeStepAndNegativeVarianceAreRejected()
    {
        var one = ReadOnlyVector.Create(1.0);
        ParamAssert.Throws<ArgumentNullException>("movingMean", () => new BatchNormState<double>(null!, one, one, one, 0));
        ParamAssert.Throws<ArgumentNullException>("movingVariance", () => new BatchNormState<double>(one, null!, one, one, 0));
        ParamAssert.Throws<ArgumentNullException>("gamma", () => new BatchNormState<double>(one, one, null!, one, 0));
        ParamAssert.Throws<ArgumentNullException>("beta", () => new BatchNormState<double>(one, one, one, null!, 0));
        ParamAssert.Throws<ArgumentOutOfRangeException>("step", () => State([0], [1], [1], [0], -1));
        ParamAssert.Throws<ArgumentOutOfRangeException>("movingVariance", () => State([0, 0], [1, -1e-9], [1, 1], [0, 0], 0));
    }

    /// <summary>
    /// A <c>with</c> expression must not build a state the constructor would reject (three channels, two gammas: the
    /// kernels would index past the end; a negative moving variance: inference would return NaN).
    /// </summary>
    [Fact]
    public void WithExpressionsAreValidatedLikeTheConstructor()
    {
        var state = BatchNormState<double>.Init(3);
        var two = ReadOnlyVector.Create(1.0, 1.0);

        ParamAssert.Throws<ArgumentException>("MovingMean", () => state with { MovingMean = two });
        ParamAssert.Throws<ArgumentException>("MovingVariance", () => state with { MovingVariance = two });
        ParamAssert.Throws<ArgumentException>("Gamma", () => state with { Gamma = two });
        ParamAssert.Throws<ArgumentException>("Beta", () => state with { Beta = two });
        ParamAssert.Throws<ArgumentNullException>("Gamma", () => state with { Gamma = null! });
        ParamAssert.Throws<ArgumentOutOfRangeException>("MovingVariance", () => state with { MovingVariance = ReadOnlyVector.Create(-4.0, 1.0, 1.0) });
        ParamAssert.Throws<ArgumentOutOfRangeException>("Step", () => state with { Step = -1 });
        Assert.Equal(ReadOnlyVector.Create(2.0, 2.0, 2.0), (state with { Gamma = ReadOnlyVector.Create(2.0, 2.0, 2.0) }).Gamma);
    }

    private static BatchNormState<double> State(double[] mean, double[] variance, double[] gamma, double[] beta, long step) =>
        new(ReadOnlyVector.Create(mean), ReadOnlyVector.Create(variance), ReadOnlyVector.Create(gamma), ReadOnlyVector.Create(beta), step);
}
