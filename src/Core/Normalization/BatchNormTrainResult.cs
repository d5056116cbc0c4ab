using System.Numerics;
using BnNative.Collections;
using BnNative.Moments;
using BnNative.Sync;
using BnNative.Tensors;

namespace BnNative.Normalization;

/// <summary>
/// What a training step returns: the output, the next state, the batch moments, the pending transition (collection
/// mode), the state to carry forward whatever the mode (<see cref="CommittedState"/>) and what <see cref="BatchNorm.Backward{T}(TensorView{T}, BatchNormTrainResult{T})"/> needs.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class BatchNormTrainResult<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private BatchNormState<T>? _committedState;

    internal BatchNormTrainResult(
        TensorView<T> output, BatchNormState<T> nextState, BatchMoments moments, EmaTransition? pending,
        TensorView<T> input, int channelAxis, BatchNormConfig config, BatchNormState<T> usedState, IReadOnlyList<BatchNormChunk> chunks,
        IStatisticsExchange? exchange)
    {
        Output = output;
        NextState = nextState;
        BatchMoments = moments;
        PendingTransition = pending;
        Input = input;
        ChannelAxis = channelAxis;
        Config = config;
        UsedState = usedState;
        Chunks = chunks;
        Exchange = exchange;
    }

    /// <summary>y = gamma·(x − mean)/sqrt(var + eps) + beta with the batch statistics (biased variance).</summary>
    public TensorView<T> Output { get; }

    /// <summary>
    /// The state after the step: with internal EMA updates the moving statistics advanced; with collection and skip
    /// the state that came in. To carry the update forward whatever the mode, use <see cref="CommittedState"/>.
    /// </summary>
    public BatchNormState<T> NextState { get; }

    /// <summary>
    /// The moments (n, mean, M2) of the whole batch: with synchronized statistics the global ones of all workers; under
    /// ghost batch norm all chunks merged (each chunk was normalized with its own, see <see cref="Chunks"/>).
    /// </summary>
    public BatchMoments BatchMoments { get; }

    /// <summary>
    /// What each part of the batch was normalized with: one entry for the whole batch, or one per ghost chunk in batch
    /// order; with batch renormalization each carries its r and d.
    /// </summary>
    public IReadOnlyList<BatchNormChunk> Chunks { get; }

    /// <summary>In collection mode, the update to apply later (<see cref="EmaTransition.Apply{T}"/>); otherwise null.</summary>
    public EmaTransition? PendingTransition { get; }

    /// <summary>
    /// The state to carry forward to the next step whatever <see cref="BatchNormConfig.EmaUpdate"/> is, for callers that
    /// apply every update at once instead of collecting them (SPEC §5):
    /// <list type="table">
    /// <listheader><term>EMA update</term><description>Committed state</description></listheader>
    /// <item><term><see cref="EmaUpdate.Internal"/></term><description>the advanced state, <see cref="NextState"/>.</description></item>
    /// <item><term><see cref="EmaUpdate.Collection"/></term><description>the pending transition applied to the incoming state,
    /// <c>PendingTransition.Apply(NextState)</c> (<see cref="NextState"/> is the incoming state); equal to what an internal step returns.</description></item>
    /// <item><term><see cref="EmaUpdate.Skip"/></term><description>the incoming state, <see cref="NextState"/>.</description></item>
    /// </list>
    /// Ghost batch norm, batch renormalization and synchronized steps follow the same table (their transition carries
    /// the ghost source, the renorm statistics, the merged statistics). Computed on first use, then kept.
    /// </summary>
    /// <exception cref="OverflowException">Collection mode and the incoming state's step is <see cref="long.MaxValue"/>
    /// (an internal step would have thrown already).</exception>
    public BatchNormState<T> CommittedState => _committedState ??= Commit(NextState, PendingTransition);

    /// <summary>The channel axis the step resolved.</summary>
    public int ChannelAxis { get; }

    /// <summary>Per channel 1/sqrt(var + eps) of the first chunk (the whole batch unless ghost batch norm split it).</summary>
    public ReadOnlyVector<double> InverseStd => Chunks[0].InverseStd;

    /// <summary>The input (a view: the backward pass reads it again, so it must not change in between).</summary>
    internal TensorView<T> Input { get; }

    internal BatchNormConfig Config { get; }

    /// <summary>The exchange of a synchronized step (its backward pass is collective too); null otherwise.</summary>
    internal IStatisticsExchange? Exchange { get; }

    /// <summary>The state the step normalized with (its gamma enters the backward pass).</summary>
    internal BatchNormState<T> UsedState { get; }

    /// <summary>The state <see cref="CommittedState"/> describes: <paramref name="pending"/> applied to <paramref name="next"/>, or <paramref name="next"/> itself.</summary>
    internal static BatchNormState<T> Commit(BatchNormState<T> next, EmaTransition? pending) => pending is null ? next : pending.Apply(next);
}
