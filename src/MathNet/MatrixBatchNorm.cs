using System.Numerics;
using BnNative.Normalization;
using BnNative.Tensors;
using MathNet.Numerics.LinearAlgebra;

namespace BnNative.MathNet;

/// <summary>
/// Batch normalization of a MathNet matrix whose rows are the batch and whose columns are the channels: the entry points
/// of <see cref="BatchNorm"/> taking and returning <see cref="Matrix{T}"/>. Input and output are read and written in
/// place through <see cref="MathNetTensorViews.AsTensorView{T}(Matrix{T})"/>: the output is a new dense matrix (or the
/// destination given) whose storage the kernels write directly, never a copy of a tensor.
/// </summary>
/// <remarks>
/// The channel axis is column axis 1 unless <see cref="BatchNormConfig.Axis"/> says otherwise (0 normalizes each row).
/// Statistics, formulas, defaults and exceptions are those of <see cref="BatchNorm.Train{T}(TensorView{T}, BatchNormState{T}, BatchNormConfig)"/>
/// and <see cref="BatchNorm.Infer{T}(TensorView{T}, BatchNormState{T}, BatchNormConfig)"/>.
/// </remarks>
public static class MatrixBatchNorm
{
    /// <summary>
    /// One training step on a rows×channels matrix: y = gamma·(x − mu)/sqrt(s2 + eps) + beta with the batch mean mu and
    /// biased variance s2 of each column, into a new dense matrix, and the moving-statistics update.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The batch, dense storage; read in place, and kept by the result for
    /// <see cref="BatchNorm.Backward{T}(TensorView{T}, BatchNormTrainResult{T})"/>, so it must not change until then.</param>
    /// <param name="state">The layer's state; its channel count must equal the columns of <paramref name="x"/>.</param>
    /// <param name="config">Settings; null for tensorpack's defaults (<see cref="BatchNormConfig.Tensorpack"/>).</param>
    /// <returns>The output matrix and the step's result (next state, batch moments, what backward needs).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> or <paramref name="state"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not dense, has no rows, or (as
    /// <see cref="BatchNorm.Train{T}(TensorView{T}, BatchNormState{T}, BatchNormConfig)"/>) a channel count that differs from
    /// <paramref name="state"/>.</exception>
    /// <exception cref="NonFiniteStatisticsException">As <see cref="BatchNorm.Train{T}(TensorView{T}, BatchNormState{T}, BatchNormConfig)"/>.</exception>
    public static MatrixTrainResult<T> Train<T>(Matrix<T> x, BatchNormState<T> state, BatchNormConfig? config = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var input = InputView(x);
        var output = Matrix<T>.Build.Dense(x.RowCount, x.ColumnCount);
        return new MatrixTrainResult<T>(output, BatchNorm.Train(input, state, config, output.AsTensorView()));
    }

    /// <summary>
    /// Like <see cref="Train{T}(Matrix{T}, BatchNormState{T}, BatchNormConfig)"/>, writing the output into
    /// <paramref name="destination"/>'s own storage.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The batch, dense storage.</param>
    /// <param name="state">The layer's state.</param>
    /// <param name="config">Settings; null for tensorpack's defaults.</param>
    /// <param name="destination">A dense matrix of the same size as <paramref name="x"/>, not <paramref name="x"/> itself.</param>
    /// <returns>The result; its <see cref="MatrixTrainResult{T}.Output"/> is <paramref name="destination"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument other than <paramref name="config"/> is null.</exception>
    /// <exception cref="ArgumentException">As the allocating overload; and <paramref name="destination"/> is not dense,
    /// differs in size, or shares its storage with <paramref name="x"/>.</exception>
    /// <exception cref="NonFiniteStatisticsException">As the allocating overload; <paramref name="destination"/> is then left untouched.</exception>
    public static MatrixTrainResult<T> Train<T>(Matrix<T> x, BatchNormState<T> state, BatchNormConfig? config, Matrix<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var input = InputView(x);
        var output = DestinationView(input, destination);
        return new MatrixTrainResult<T>(destination, BatchNorm.Train(input, state, config, output));
    }

    /// <summary>
    /// Inference on a rows×channels matrix: y = gamma·(x − moving_mean)/sqrt(moving_var + eps) + beta per column, into a
    /// new dense matrix.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The batch, dense storage; read in place.</param>
    /// <param name="state">The layer's state; its channel count must equal the columns of <paramref name="x"/>.</param>
    /// <param name="config">Settings; null for tensorpack's defaults.</param>
    /// <returns>The normalized matrix.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> or <paramref name="state"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not dense, has no rows, or (as
    /// <see cref="BatchNorm.Infer{T}(TensorView{T}, BatchNormState{T}, BatchNormConfig)"/>) a channel count that differs from
    /// <paramref name="state"/>.</exception>
    public static Matrix<T> Infer<T>(Matrix<T> x, BatchNormState<T> state, BatchNormConfig? config = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var input = InputView(x);
        var output = Matrix<T>.Build.Dense(x.RowCount, x.ColumnCount);
        BatchNorm.Infer(input, state, config, output.AsTensorView());
        return output;
    }

    /// <summary>Like <see cref="Infer{T}(Matrix{T}, BatchNormState{T}, BatchNormConfig)"/>, into <paramref name="destination"/>'s own storage.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The batch, dense storage.</param>
    /// <param name="state">The layer's state.</param>
    /// <param name="config">Settings; null for tensorpack's defaults.</param>
    /// <param name="destination">A dense matrix of the same size as <paramref name="x"/>, not <paramref name="x"/> itself.</param>
    /// <exception cref="ArgumentNullException">An argument other than <paramref name="config"/> is null.</exception>
    /// <exception cref="ArgumentException">As the allocating overload; and <paramref name="destination"/> is not dense,
    /// differs in size, or shares its storage with <paramref name="x"/>.</exception>
    public static void Infer<T>(Matrix<T> x, BatchNormState<T> state, BatchNormConfig? config, Matrix<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var input = InputView(x);
        BatchNorm.Infer(input, state, config, DestinationView(input, destination));
    }

    private static TensorView<T> InputView<T>(Matrix<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => MathNetTensorViews.DenseView(x, nameof(x));

    /// <summary>The destination's view; its lengths are checked by <see cref="BatchNorm"/> itself.</summary>
    private static TensorView<T> DestinationView<T>(TensorView<T> input, Matrix<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var output = MathNetTensorViews.DenseView(destination, nameof(destination));
        if (output.Memory.Equals(input.Memory))
        {
            throw new ArgumentException("destination is the input matrix x itself; pass a separate matrix of the same size.", nameof(destination));
        }

        return output;
    }
}
