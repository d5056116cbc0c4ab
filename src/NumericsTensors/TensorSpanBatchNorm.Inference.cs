using System.Numerics;
using System.Numerics.Tensors;
using BnNative.Normalization;

namespace BnNative.NumericsTensors;

/// <content>Inference with the moving statistics.</content>
public static partial class TensorSpanBatchNorm
{
    /// <summary>
    /// Inference: y = gamma·(x − moving_mean)/sqrt(moving_var + eps) + beta, written into <paramref name="destination"/>;
    /// as <see cref="BatchNorm.Infer{T}(Tensors.TensorView{T}, BatchNormState{T}, BatchNormConfig, Tensors.TensorView{T})"/>.
    /// </summary>
    /// <param name="x">Input, rank ≥ 2, any non-negative strides.</param>
    /// <param name="state">The state whose moving statistics, gamma and beta are used.</param>
    /// <param name="config">Settings; null for tensorpack's defaults.</param>
    /// <param name="destination">Output with the input's lengths, each element addressed once, memory apart from <paramref name="x"/>'s.</param>
    /// <exception cref="ArgumentNullException"><paramref name="state"/> is null.</exception>
    /// <exception cref="ArgumentException">A span <see cref="TensorSpanBatchNorm"/> rejects (<c>x</c>, <c>destination</c>); bad rank,
    /// empty input or non-finite values under CheckFinite (<c>x</c>); channel count ≠ state (<c>state</c>); other lengths (<c>destination</c>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">The configured axis is out of range (<c>axis</c>).</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither float nor double.</exception>
    public static void Infer<T>(ReadOnlyTensorSpan<T> x, BatchNormState<T> state, BatchNormConfig? config, TensorSpan<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Forward(x, destination, null, (input, output) =>
        {
            BatchNorm.Infer(input.View, state, config, output.View);
            return output;
        });
    }
}
