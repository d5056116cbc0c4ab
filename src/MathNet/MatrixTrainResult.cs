using System.Numerics;
using BnNative.Normalization;
using MathNet.Numerics.LinearAlgebra;

namespace BnNative.MathNet;

/// <summary>
/// What <see cref="MatrixBatchNorm.Train{T}(Matrix{T}, BatchNormState{T}, BatchNormConfig)"/> returns: the output as a
/// MathNet matrix and the step's full result.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class MatrixTrainResult<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    internal MatrixTrainResult(Matrix<T> output, BatchNormTrainResult<T> step)
    {
        Output = output;
        Step = step;
    }

    /// <summary>
    /// y = gamma·(x − mean)/sqrt(var + eps) + beta with the batch statistics, a dense matrix of the input's size. It is
    /// the same storage as <c>Step.Output</c> (a view of it), not a copy.
    /// </summary>
    public Matrix<T> Output { get; }

    /// <summary>
    /// The step's result: next state, batch moments, pending transition, committed state, and what
    /// <see cref="BatchNorm.Backward{T}(Tensors.TensorView{T}, BatchNormTrainResult{T})"/> needs.
    /// </summary>
    public BatchNormTrainResult<T> Step { get; }

    /// <summary>
    /// The state after the step, <see cref="BatchNormTrainResult{T}.NextState"/>: advanced with internal EMA updates, the
    /// incoming state with collection (the default, tensorpack's) and skip.
    /// </summary>
    public BatchNormState<T> NextState => Step.NextState;

    /// <summary>The state to carry forward whatever the EMA mode, <see cref="BatchNormTrainResult{T}.CommittedState"/>.</summary>
    /// <exception cref="OverflowException">As <see cref="BatchNormTrainResult{T}.CommittedState"/>.</exception>
    public BatchNormState<T> CommittedState => Step.CommittedState;
}
