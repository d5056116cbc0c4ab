using System.Numerics;
using BnNative.Sync;
using BnNative.Tensors;

namespace BnNative.Normalization;

/// <content>Synchronized training steps (SyncBN, SPEC §7): the overloads that take an <see cref="IStatisticsExchange"/>.</content>
public static partial class BatchNorm
{
    /// <summary>
    /// A synchronized training step (SyncBN, SPEC §7): every worker of <paramref name="sync"/> calls this with its own
    /// part of the batch (any size, including no samples) and the same state and config; the workers exchange their
    /// (n, mean, M2) per channel and merge them in rank order, so all of them normalize with bitwise-identical global
    /// statistics and return the same next state. The result equals plain batch norm on the concatenation of the parts.
    /// The backward pass of the result is collective too.
    /// </summary>
    /// <param name="x">This worker's part of the batch.</param>
    /// <param name="state">Current state (the same on every worker).</param>
    /// <param name="config">Settings; null for tensorpack's defaults. <see cref="BatchNormConfig.VirtualBatchSize"/> must be null.</param>
    /// <param name="sync">The exchange this worker belongs to.</param>
    /// <exception cref="ArgumentException">As the plain overload (the global count decides n = 0 and n &lt; 2 errors, on every
    /// worker alike), or a virtual batch size was configured.</exception>
    /// <exception cref="NonFiniteStatisticsException">As the plain overload, decided on the merged statistics, so on every
    /// worker alike (no worker is left waiting; the exchange is not failed).</exception>
    /// <exception cref="StatisticsExchangeException">The workers disagree on channel count or element type (on every
    /// worker), or another worker failed.</exception>
    public static BatchNormTrainResult<T> Train<T>(TensorView<T> x, BatchNormState<T> state, BatchNormConfig? config, IStatisticsExchange sync)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(sync);
        TensorView<T> destination;
        try
        {
            ArgumentNullException.ThrowIfNull(x);
            destination = Tensor<T>.Zeros(x.Lengths).View;
        }
        catch (Exception ex) when (LocalPhase.FailPeers(sync, ex))
        {
            throw LocalPhase.Unreachable();
        }

        return Train(x, state, config, destination, sync);
    }

    /// <summary>Like <see cref="Train{T}(TensorView{T}, BatchNormState{T}, BatchNormConfig, IStatisticsExchange)"/>, writing the output into <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException">As that overload, and <paramref name="destination"/> lengths differ.</exception>
    /// <exception cref="NonFiniteStatisticsException">As that overload; <paramref name="destination"/> is then left untouched.</exception>
    /// <exception cref="StatisticsExchangeException">As that overload.</exception>
    public static BatchNormTrainResult<T> Train<T>(
        TensorView<T> x, BatchNormState<T> state, BatchNormConfig? config, TensorView<T> destination, IStatisticsExchange sync)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(sync);
        return TrainCore(x, state, config ?? BatchNormConfig.Tensorpack, destination, sync);
    }
}
