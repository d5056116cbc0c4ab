using System.Buffers;
using System.Numerics;
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

    /// <summary>Inference into <paramref name="destination"/> (same lengths, any strides); allocates nothing for up to 512 channels.</summary>
    /// <exception cref="ArgumentException">As <see cref="Infer{T}(TensorView{T}, BatchNormState{T}, BatchNormConfig)"/>, and <paramref name="destination"/> lengths differ.</exception>
    public static void Infer<T>(TensorView<T> x, BatchNormState<T> state, BatchNormConfig? config, TensorView<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        config ??= BatchNormConfig.Tensorpack;
        int axis = Validate(x, state, config);
        CheckSameLengths(x, destination, nameof(destination));
        int channels = state.Channels;
        double[]? rented = channels > 512 ? ArrayPool<double>.Shared.Rent(3 * channels) : null;
        T[]? rentedWorkspace = channels > 512 ? ArrayPool<T>.Shared.Rent(4 * channels) : null;
        try
        {
            Span<double> buffer = rented ?? stackalloc double[3 * channels];
            Span<T> workspace = rentedWorkspace ?? stackalloc T[4 * channels];
            var mean = buffer[..channels];
            var scale = buffer.Slice(channels, channels);
            var offset = buffer.Slice(2 * channels, channels);
            for (int c = 0; c < channels; c++)
            {
                mean[c] = double.CreateTruncating(state.MovingMean[c]);
                double gamma = config.Scale ? double.CreateTruncating(state.Gamma[c]) : 1;
                scale[c] = gamma / Math.Sqrt(double.CreateTruncating(state.MovingVariance[c]) + config.Epsilon);
                offset[c] = config.Center ? double.CreateTruncating(state.Beta[c]) : 0;
            }

            ApplyAffine(x, destination, axis, mean, scale, offset, workspace);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<double>.Shared.Return(rented);
            }

            if (rentedWorkspace is not null)
            {
                ArrayPool<T>.Shared.Return(rentedWorkspace);
            }
        }
    }

    /// <summary>
    /// y = (x − mean)·scale + offset, the mean subtracted first in full precision. <paramref name="workspace"/> holds
    /// 4·C elements (mean high, mean low, scale, offset in T).
    /// </summary>
    private static void ApplyAffine<T>(
        TensorView<T> x, TensorView<T> y, int axis, ReadOnlySpan<double> mean, ReadOnlySpan<double> scale, ReadOnlySpan<double> offset,
        Span<T> workspace)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int channels = mean.Length;
        var high = workspace[..channels];
        var low = workspace.Slice(channels, channels);
        var scaleT = workspace.Slice(2 * channels, channels);
        var offsetT = workspace.Slice(3 * channels, channels);
        SplitMean(mean, high, low);
        for (int c = 0; c < channels; c++)
        {
            scaleT[c] = T.CreateTruncating(scale[c]);
            offsetT[c] = T.CreateTruncating(offset[c]);
        }

        ChannelKernels.Normalize(x, y, axis, high, low, scaleT, offsetT);
    }

    /// <summary>
    /// The mean as a high part in T plus the remainder in T, so that x − high − low keeps the mean's double precision
    /// (SPEC §4: rounding a mean near 1e4 to float alone costs about 1e-3).
    /// </summary>
    private static void SplitMean<T>(ReadOnlySpan<double> mean, Span<T> high, Span<T> low)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int c = 0; c < mean.Length; c++)
        {
            high[c] = T.CreateTruncating(mean[c]);
            low[c] = T.CreateTruncating(mean[c] - double.CreateTruncating(high[c]));
        }
    }
}
