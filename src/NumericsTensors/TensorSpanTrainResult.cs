using System.Numerics;
using BnNative.Collections;
using BnNative.Moments;
using BnNative.Normalization;
using BnNative.Sync;

namespace BnNative.NumericsTensors;

/// <summary>
/// What a training step over tensor spans returns: the next state, the batch moments, the pending transition and what
/// the backward pass needs, all managed values. The output went into the caller's destination span. Unlike
/// <see cref="BatchNormTrainResult{T}"/> there is no <c>Output</c> and no retained input view: the step's spans were
/// pinned only during the call, and the backward pass
/// (<see cref="TensorSpanBatchNorm.Backward{T}(System.Numerics.Tensors.ReadOnlyTensorSpan{T}, System.Numerics.Tensors.ReadOnlyTensorSpan{T}, TensorSpanTrainResult{T}, System.Numerics.Tensors.TensorSpan{T})"/>)
/// takes the input again.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class TensorSpanTrainResult<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    internal TensorSpanTrainResult(BatchNormTrainResult<T> step, SpanOperand<T> input, IStatisticsExchange? exchange)
    {
        Step = step;
        Input = input;
        Exchange = exchange;
    }

    /// <summary>
    /// The state after the step: with internal EMA updates the moving statistics advanced; with collection and skip
    /// the state that came in (as <see cref="BatchNormTrainResult{T}.NextState"/>).
    /// </summary>
    public BatchNormState<T> NextState => Step.NextState;

    /// <summary>
    /// The state to carry forward whatever <see cref="BatchNormConfig.EmaUpdate"/> is (as
    /// <see cref="BatchNormTrainResult{T}.CommittedState"/>): internal → <see cref="NextState"/>; collection → the pending
    /// transition applied to it; skip → the incoming state.
    /// </summary>
    /// <exception cref="OverflowException">Collection mode and the incoming state's step is <see cref="long.MaxValue"/>.</exception>
    public BatchNormState<T> CommittedState => Step.CommittedState;

    /// <summary>The moments (n, mean, M2) of the whole batch; under ghost batch norm all chunks merged.</summary>
    public BatchMoments BatchMoments => Step.BatchMoments;

    /// <summary>What each part of the batch was normalized with: one entry, or one per ghost chunk in batch order.</summary>
    public IReadOnlyList<BatchNormChunk> Chunks => Step.Chunks;

    /// <summary>In collection mode, the update to apply later; otherwise null.</summary>
    public EmaTransition? PendingTransition => Step.PendingTransition;

    /// <summary>The channel axis the step resolved from the config and the rank.</summary>
    public int ChannelAxis => Step.ChannelAxis;

    /// <summary>Per channel 1/sqrt(var + eps) of the first chunk (the whole batch unless ghost batch norm split it).</summary>
    public ReadOnlyVector<double> InverseStd => Step.InverseStd;

    /// <summary>
    /// The step over views. Its input view reads <see cref="Input"/>'s memory, detached outside a call; its output view
    /// is detached for good. Never handed out, so no caller can reach memory that is no longer pinned.
    /// </summary>
    internal BatchNormTrainResult<T> Step { get; }

    /// <summary>The input's geometry and memory, attached again to the input span of the backward pass.</summary>
    internal SpanOperand<T> Input { get; }

    /// <summary>The exchange of a synchronized step (its backward pass is collective, and its failed checks fail the peers); null otherwise.</summary>
    internal IStatisticsExchange? Exchange { get; }
}
