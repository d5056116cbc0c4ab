using BnNative.Collections;
using BnNative.MathNet;
using BnNative.Normalization;
using MathNet.Numerics.LinearAlgebra;

namespace BnNative.Tests.MathNet;

public sealed class BatchNormStateVectorsTests
{
    [Fact]
    public void FromVectors_BuildsTheState_AndReadsBackAsVectors()
    {
        var mean = Vector<double>.Build.Dense([0.5, -1]);
        var variance = Vector<double>.Build.Dense([2.0, 0.25]);
        var gamma = Vector<double>.Build.Dense([1.5, 1]);
        var beta = Vector<double>.Build.SparseOfArray([0.0, 3.0]);
        var state = BatchNormStateVectors.FromVectors(mean, variance, gamma, beta, step: 7);

        Assert.Equal(ReadOnlyVector.Create(0.5, -1.0), state.MovingMean);
        Assert.Equal(ReadOnlyVector.Create(2.0, 0.25), state.MovingVariance);
        Assert.Equal(ReadOnlyVector.Create(1.5, 1.0), state.Gamma);
        Assert.Equal(ReadOnlyVector.Create(0.0, 3.0), state.Beta);
        Assert.Equal(7, state.Step);

        Assert.Equal(mean, state.MovingMean.ToMathNetVector());
        Assert.Equal(variance, state.MovingVariance.ToMathNetVector());
        Assert.Equal(gamma, state.Gamma.ToMathNetVector());
        Assert.Equal(Vector<double>.Build.Dense([0.0, 3.0]), state.Beta.ToMathNetVector());
    }

    [Fact]
    public void BothDirectionsCopy_SoTheStateCannotChangeUnderneath()
    {
        var gamma = Vector<float>.Build.Dense([1f, 2f]);
        var state = BatchNormStateVectors.FromVectors(
            Vector<float>.Build.Dense(2), Vector<float>.Build.Dense(2, 1f), gamma, Vector<float>.Build.Dense(2));
        gamma[0] = 100f;
        Assert.Equal(1f, state.Gamma[0]);

        var readBack = state.Gamma.ToMathNetVector();
        readBack[1] = -5f;
        Assert.Equal(2f, state.Gamma[1]);

        var updated = state with { Beta = Vector<float>.Build.Dense([4f, 5f]).ToReadOnlyVector() };
        Assert.Equal(ReadOnlyVector.Create(4f, 5f), updated.Beta);
    }

    [Fact]
    public void BadVectors_AreNamed()
    {
        var two = Vector<double>.Build.Dense(2, 1.0);
        var three = Vector<double>.Build.Dense(3, 1.0);
        Assert.Equal("gamma", Assert.Throws<ArgumentException>(() => BatchNormStateVectors.FromVectors(two, two, three, two)).ParamName);
        Assert.Equal("movingVariance", Assert.Throws<ArgumentOutOfRangeException>(
            () => BatchNormStateVectors.FromVectors(two, Vector<double>.Build.Dense([1.0, -1.0]), two, two)).ParamName);
        Assert.Equal("beta", Assert.Throws<ArgumentNullException>(() => BatchNormStateVectors.FromVectors(two, two, two, null!)).ParamName);
        Assert.Equal("movingMean", Assert.Throws<ArgumentException>(
            () => BatchNormStateVectors.FromVectors(Vector<double>.Build.Dense(0), Vector<double>.Build.Dense(0), Vector<double>.Build.Dense(0), Vector<double>.Build.Dense(0))).ParamName);
        Assert.Equal("step", Assert.Throws<ArgumentOutOfRangeException>(() => BatchNormStateVectors.FromVectors(two, two, two, two, -1)).ParamName);
        Assert.Equal("vector", Assert.Throws<ArgumentNullException>(() => ((ReadOnlyVector<double>)null!).ToMathNetVector()).ParamName);
    }

    [Fact]
    public void AStateFromVectorsTrainsAMatrix()
    {
        var state = BatchNormStateVectors.FromVectors(
            Vector<double>.Build.Dense(3), Vector<double>.Build.Dense(3, 1.0), Vector<double>.Build.Dense(3, 1.0), Vector<double>.Build.Dense(3));
        var x = Matrix<double>.Build.Dense(4, 3, (i, j) => i + (10.0 * j));
        var result = MatrixBatchNorm.Train(x, state, BatchNormConfig.Keras);
        var movingMean = result.NextState.MovingMean.ToMathNetVector();

        // Keras: an internal update, the TF-convention EMA with momentum 0.99: 0.99·0 + 0.01·(column mean 1.5 + 10·j).
        for (int j = 0; j < 3; j++)
        {
            Assert.Equal(0.01 * (1.5 + (10 * j)), movingMean[j], 12);
        }
    }
}
