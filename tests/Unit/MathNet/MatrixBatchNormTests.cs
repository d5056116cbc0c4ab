using System.Numerics;
using System.Runtime.InteropServices;
using BnNative.Collections;
using BnNative.MathNet;
using BnNative.Normalization;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Statistics;

namespace BnNative.Tests.MathNet;

public sealed class MatrixBatchNormTests
{
    private static readonly BatchNormConfig Config = BatchNormConfig.Tensorpack;

    [Fact]
    public void Train_NormalizesEachColumnWithItsBatchStatistics()
    {
        var x = Batch(16, 5, seed: 1);
        var state = State(5);
        var result = MatrixBatchNorm.Train(x, state, Config);

        Assert.Equal(16, result.Output.RowCount);
        Assert.Equal(5, result.Output.ColumnCount);
        for (int j = 0; j < 5; j++)
        {
            double[] column = x.Column(j).ToArray();
            double mean = column.Mean();
            double variance = column.PopulationVariance();
            for (int i = 0; i < 16; i++)
            {
                double expected = (state.Gamma[j] * (column[i] - mean) / Math.Sqrt(variance + Config.Epsilon)) + state.Beta[j];
                Assert.True(
                    Math.Abs(result.Output[i, j] - expected) <= 1e-12 * (1 + Math.Abs(expected)),
                    $"({i}, {j}): got {result.Output[i, j]}, expected {expected}.");
            }
        }
    }

    [Fact]
    public void Train_IsTheTensorStepOverTheMatrixStorage_AndItsOutputIsNotACopy()
    {
        var x = Batch(12, 3, seed: 2).Map(v => (float)v);
        var state = State(3).Float();
        var result = MatrixBatchNorm.Train(x, state, Config);
        var direct = BatchNorm.Train(x.AsTensorView(), state, Config);

        // The same kernels on the same view: the same bits.
        Assert.Equal(direct.Output.ToArray(), result.Step.Output.ToArray());
        Assert.Equal(direct.NextState, result.NextState);
        Assert.Equal(direct.BatchMoments, result.Step.BatchMoments);
        Assert.Equal(direct.CommittedState, result.CommittedState);
        Assert.NotEqual(state, result.CommittedState);

        Assert.True(MemoryMarshal.TryGetArray<float>(result.Step.Output.Memory, out var segment));
        Assert.Same(result.Output.AsColumnMajorArray(), segment.Array);
        Assert.Equal(result.Output[3, 2], result.Step.Output[3, 2]);
    }

    [Fact]
    public void Infer_UsesTheMovingStatisticsPerColumn()
    {
        var x = Batch(7, 4, seed: 3);
        var state = State(4);
        var y = MatrixBatchNorm.Infer(x, state, Config);
        for (int j = 0; j < 4; j++)
        {
            for (int i = 0; i < 7; i++)
            {
                double expected = (state.Gamma[j] * (x[i, j] - state.MovingMean[j]) / Math.Sqrt(state.MovingVariance[j] + Config.Epsilon)) + state.Beta[j];
                Assert.True(Math.Abs(y[i, j] - expected) <= 1e-12 * (1 + Math.Abs(expected)), $"({i}, {j}): got {y[i, j]}, expected {expected}.");
            }
        }

        var floats = MatrixBatchNorm.Infer(x.Map(v => (float)v), state.Float(), Config);
        Assert.Equal(BatchNorm.Infer(x.Map(v => (float)v).AsTensorView(), state.Float(), Config).View.ToArray(), floats.AsTensorView().ToArray());
    }

    [Fact]
    public void DestinationOverloads_WriteIntoTheGivenMatrix()
    {
        var x = Batch(6, 2, seed: 4);
        var state = State(2);
        var destination = Matrix<double>.Build.Dense(6, 2, double.NaN);
        var result = MatrixBatchNorm.Train(x, state, Config, destination);
        Assert.Same(destination, result.Output);
        Assert.Equal(MatrixBatchNorm.Train(x, state, Config).Output, destination);

        var inferred = Matrix<double>.Build.Dense(6, 2, double.NaN);
        MatrixBatchNorm.Infer(x, state, Config, inferred);
        Assert.Equal(MatrixBatchNorm.Infer(x, state, Config), inferred);
    }

    [Fact]
    public void BadArguments_AreNamed()
    {
        var x = Batch(4, 3, seed: 5);
        var state = State(3);
        var sparse = Assert.Throws<ArgumentException>(() => MatrixBatchNorm.Train(Matrix<double>.Build.Sparse(4, 3), state, Config));
        Assert.Equal("x", sparse.ParamName);
        Assert.Contains("CopyToTensorView()", sparse.Message, StringComparison.Ordinal);

        Assert.Equal("state", Assert.Throws<ArgumentException>(() => MatrixBatchNorm.Infer(x, State(4), Config)).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => MatrixBatchNorm.Infer(x, state, Config, x)).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => MatrixBatchNorm.Train(x, state, Config, Matrix<double>.Build.Dense(4, 2))).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => MatrixBatchNorm.Infer(x, state, Config, Matrix<double>.Build.Sparse(4, 3))).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentNullException>(() => MatrixBatchNorm.Infer(x, state, Config, null!)).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentNullException>(() => MatrixBatchNorm.Train((Matrix<double>)null!, state)).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => MatrixBatchNorm.Train(Matrix<double>.Build.Dense(0, 3), state, Config)).ParamName);
    }

    /// <summary>Rows × channels with a different mean and spread per column.</summary>
    private static Matrix<double> Batch(int rows, int channels, int seed)
    {
        var random = new Random(seed);
        return Matrix<double>.Build.Dense(rows, channels, (_, j) => (3 * j) - 2 + ((j + 1) * ((random.NextDouble() * 2) - 1)));
    }

    private static BatchNormState<double> State(int channels) =>
        new(
            ReadOnlyVector<double>.Create([.. Enumerable.Range(0, channels).Select(c => 0.5 * c)]),
            ReadOnlyVector<double>.Create([.. Enumerable.Range(0, channels).Select(c => 1.0 + c)]),
            ReadOnlyVector<double>.Create([.. Enumerable.Range(0, channels).Select(c => 2.0 - (0.25 * c))]),
            ReadOnlyVector<double>.Create([.. Enumerable.Range(0, channels).Select(c => -1.0 + c)]),
            3);
}

internal static class StateConversions
{
    public static BatchNormState<float> Float(this BatchNormState<double> state) =>
        new(Convert(state.MovingMean), Convert(state.MovingVariance), Convert(state.Gamma), Convert(state.Beta), state.Step);

    private static ReadOnlyVector<float> Convert(ReadOnlyVector<double> vector) => vector.Select(v => (float)v);
}
