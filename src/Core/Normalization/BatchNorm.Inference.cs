using System.Numerics;
using BnNative.Kernels;
using BnNative.Tensors;

namespace BnNative.Normalization;

/// <content>Inference with the moving statistics, and the affine map y = (x − mean)·scale + offset that training and inference share.</content>
public static partial class BatchNorm
{
    /// <summary>Inference: y = gamma·(x − moving_mean)/sqrt(moving_var + eps) + beta, into a new row-major tensor.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> or <paramref name="state"/> is null.</exception>
    /// <exception cref="ArgumentException">Bad rank, non-finite values under CheckFinite (<c>x</c>), channel count ≠ state (<c>state</c>).</exception>
    public static Tensor<T> Infer<T>(TensorView<T> x, BatchNormState<T> state, BatchNormConfig? config = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        var output = Tensor<T>.Zeros(x.Lengths);
        Infer(x, state, config, output.View);
        return output;
    }

    /// <summary>Inference into <paramref name="destination"/> (same lengths, any strides); allocates nothing (coefficients live in pooled storage).</summary>
    /// <exception cref="ArgumentException">As <see cref="Infer{T}(TensorView{T}, BatchNormState{T}, BatchNormConfig)"/>, and <paramref name="destination"/> lengths differ.</exception>
    public static void Infer<T>(TensorView<T> x, BatchNormState<T> state, BatchNormConfig? config, TensorView<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        config ??= BatchNormConfig.Tensorpack;
        int axis = Validate(x, state, config);
        CheckSameLengths(x, destination, nameof(destination));
        int channels = state.Channels;
        using var table = new CoefficientTable<T>(channels, NormalizeOperator<T>.Coefficients);
        for (int c = 0; c < channels; c++)
        {
            double gamma = config.Scale ? double.CreateTruncating(state.Gamma[c]) : 1;
            NormalizeOperator<T>.Set(
                table, c, double.CreateTruncating(state.MovingMean[c]),
                gamma / Math.Sqrt(double.CreateTruncating(state.MovingVariance[c]) + config.Epsilon),
                config.Center ? double.CreateTruncating(state.Beta[c]) : 0);
        }

        table.Seal();
        ChannelKernels.Normalize(x, destination, axis, table, config.WorkerThreads);
    }
}
