using System.Numerics;
using System.Numerics.Tensors;
using BnNative.Normalization;
using BnNative.Sync;

namespace BnNative.NumericsTensors;

/// <summary>
/// Batch normalization over System.Numerics.Tensors spans: training (plain or synchronized), inference and both backward passes read
/// <see cref="ReadOnlyTensorSpan{T}"/> inputs and write <see cref="TensorSpan{T}"/> outputs in place, through the same
/// code as <see cref="BatchNorm"/>'s <see cref="Tensors.TensorView{T}"/> overloads, so the results are bitwise the same.
/// A <see cref="Tensor{T}"/> converts to either span implicitly and can be passed as it is.
/// </summary>
/// <remarks>
/// <para>
/// No element is copied: each span is pinned for the length of the call and its lengths and strides become a
/// <see cref="Tensors.TensorShape"/> over the pinned elements. The channel axis comes from the config as for views
/// (<see cref="BatchNormConfig.DataFormat"/>, <see cref="BatchNormConfig.Axis"/>), and any strides are accepted, so an
/// NCHW buffer presented as NHWC through permuted strides is normalized in place.
/// </para>
/// <para>
/// Rejected, with an <see cref="ArgumentException"/> naming the parameter: a rank-0 span; a length above
/// <see cref="int.MaxValue"/>; a span whose first-to-last element range exceeds <see cref="int.MaxValue"/> elements; a
/// total element count above <see cref="long.MaxValue"/>; a negative stride (System.Numerics.Tensors refuses these two
/// itself); an output with stride 0 on an axis longer than 1 (it would
/// write one element many times; inputs may broadcast that way); an output whose memory range overlaps an input's (dx may be
/// exactly dy in the backward passes). Everything else is checked as for views, with the same parameter names.
/// </para>
/// <para>
/// Nothing returned keeps a pointer into a span: results hold managed copies of the statistics only, and the backward
/// pass takes the input again.
/// </para>
/// </remarks>
public static partial class TensorSpanBatchNorm
{
    /// <summary>
    /// One training step: y = gamma·(x − mu)/sqrt(s2 + eps) + beta with the batch statistics (s2 biased), written into
    /// <paramref name="destination"/>, and the moving-statistics update per <see cref="BatchNormConfig.EmaUpdate"/>; as
    /// <see cref="BatchNorm.Train{T}(Tensors.TensorView{T}, BatchNormState{T}, BatchNormConfig, Tensors.TensorView{T})"/>.
    /// </summary>
    /// <param name="x">Input, rank ≥ 2, any non-negative strides (0 broadcasts an axis).</param>
    /// <param name="state">Current state; its channel count must match the input's channel axis.</param>
    /// <param name="config">Settings; null for tensorpack's defaults.</param>
    /// <param name="destination">Output with the input's lengths, any strides that address each element once; its memory
    /// range must not overlap <paramref name="x"/>'s. Elements it does not address are never touched.</param>
    /// <returns>The next state, the batch moments and what <see cref="Backward{T}"/> needs.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="state"/> is null.</exception>
    /// <exception cref="ArgumentException">A span the type comment rejects (<c>x</c>, <c>destination</c>); as the view overload:
    /// bad rank, empty reduction, n &lt; 2 with an unbiased moving variance, non-finite values under CheckFinite (<c>x</c>),
    /// a channel count that differs from the state (<c>state</c>), other lengths (<c>destination</c>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">The configured axis is out of range (<c>axis</c>).</exception>
    /// <exception cref="NonFiniteStatisticsException">As the view overload; <paramref name="destination"/> is then left untouched.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither float nor double.</exception>
    public static TensorSpanTrainResult<T> Train<T>(
        ReadOnlyTensorSpan<T> x, BatchNormState<T> state, BatchNormConfig? config, TensorSpan<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Forward(x, destination, null, (input, output) => new TensorSpanTrainResult<T>(BatchNorm.Train(input.View, state, config, output.View), input, null));

    /// <summary>
    /// A synchronized training step, as
    /// <see cref="BatchNorm.Train{T}(Tensors.TensorView{T}, BatchNormState{T}, BatchNormConfig, Tensors.TensorView{T}, IStatisticsExchange)"/>:
    /// every worker of <paramref name="sync"/> calls it with its own part of the batch (any size, including no samples) and
    /// the same state and config; all normalize with the same global statistics (merged in rank order) and return the same
    /// next state. The backward pass of the result is collective too. A span this worker's checks reject fails the
    /// exchange before the exception reaches the caller, so no other worker waits for it.
    /// </summary>
    /// <param name="x">This worker's part of the batch.</param>
    /// <param name="state">Current state (the same on every worker).</param>
    /// <param name="config">Settings; null for tensorpack's defaults. <see cref="BatchNormConfig.VirtualBatchSize"/> must be null.</param>
    /// <param name="destination">As for the plain overload.</param>
    /// <param name="sync">The exchange this worker belongs to.</param>
    /// <returns>The next state, the global batch moments and what <see cref="Backward{T}"/> needs.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="sync"/> or <paramref name="state"/> is null.</exception>
    /// <exception cref="ArgumentException">As <see cref="Train{T}(ReadOnlyTensorSpan{T}, BatchNormState{T}, BatchNormConfig, TensorSpan{T})"/>
    /// (the global count decides n = 0 and n &lt; 2 errors), or a virtual batch size was configured.</exception>
    /// <exception cref="NonFiniteStatisticsException">As the plain overload, decided on the merged statistics, on every worker alike.</exception>
    /// <exception cref="StatisticsExchangeException">The workers disagree on channel count or element type, or another worker failed.</exception>
    public static TensorSpanTrainResult<T> Train<T>(
        ReadOnlyTensorSpan<T> x, BatchNormState<T> state, BatchNormConfig? config, TensorSpan<T> destination, IStatisticsExchange sync)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(sync);
        return Forward(
            x, destination, sync, (input, output) => new TensorSpanTrainResult<T>(BatchNorm.Train(input.View, state, config, output.View, sync), input, sync));
    }

    /// <summary>
    /// Maps <paramref name="x"/> and <paramref name="destination"/>, pins them, checks they are apart and runs
    /// <paramref name="pass"/> on their views, which are detached again when it returns. A failed check fails
    /// <paramref name="sync"/> too.
    /// </summary>
    private static unsafe TResult Forward<T, TResult>(
        ReadOnlyTensorSpan<T> x, TensorSpan<T> destination, IStatisticsExchange? sync, Func<SpanOperand<T>, SpanOperand<T>, TResult> pass)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        SpanOperand<T> input;
        SpanOperand<T> output;
        try
        {
            input = SpanOperand<T>.Of(x.Lengths, x.Strides, nameof(x), output: false);
            output = SpanOperand<T>.Of(destination.Lengths, destination.Strides, nameof(destination), output: true);
        }
        catch (Exception ex) when (sync is not null)
        {
            // Checked before the first collective: the other workers wait there for this one, so tell them it failed.
            sync.Fail(ex);
            throw;
        }

        fixed (T* inputStart = x)
        fixed (T* outputStart = destination)
        {
            using (PinnedCall<T>.Forward(input, inputStart, output, outputStart, sync))
            {
                return pass(input, output);
            }
        }
    }
}
