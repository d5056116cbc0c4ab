using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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
        using var table = new CoefficientTable<T>(state.Channels, NormalizeOperator<T>.Coefficients);
        InferenceCoefficients(state.MovingMean.AsSpan(), state.MovingVariance.AsSpan(), state.Gamma.AsSpan(), state.Beta.AsSpan(), config, table);
        ChannelKernels.NormalizeAlone(x, destination, axis, table, config.WorkerThreads);
    }

    /// <summary>
    /// The normalize operator's coefficients from the moving statistics: m_hi = moving mean (already in T, so m_lo = 0),
    /// scale = gamma/sqrt(moving variance + eps) and offset = beta, computed in T a vector of channels at a time (a
    /// [32, 64] call is dominated by this per-channel work, not by the elements).
    /// </summary>
    internal static void InferenceCoefficients<T>(
        ReadOnlySpan<T> movingMean, ReadOnlySpan<T> variance, ReadOnlySpan<T> gamma, ReadOnlySpan<T> beta, BatchNormConfig config,
        in CoefficientTable<T> table)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int channels = movingMean.Length;
        movingMean.CopyTo(table.Row(0));
        if (config.Center)
        {
            beta.CopyTo(table.Row(2));
        }
        else
        {
            table.Row(2).Clear();
        }

        var scale = table.Row(1);
        T epsilon = T.CreateTruncating(config.Epsilon);
        bool scaled = config.Scale;
        if (variance.Length < channels || (scaled && gamma.Length < channels))
        {
            throw new ArgumentException("The variance and gamma must cover every channel of the mean.", nameof(variance));
        }

        // Through references after the length check (the sliced spans' bounds checks cost more than the arithmetic for
        // small C), 512 bits where the hardware has them; the same operations per channel as the scalar loop.
        ref T variance0 = ref MemoryMarshal.GetReference(variance);
        ref T gamma0 = ref MemoryMarshal.GetReference(gamma);
        ref T scale0 = ref MemoryMarshal.GetReference(scale);
        int c = 0;
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
        {
            var wideEpsilons = Vector512.Create(epsilon);
            for (; c + Vector512<T>.Count <= channels; c += Vector512<T>.Count)
            {
                var numerator = scaled ? Vector512.LoadUnsafe(ref gamma0, (nuint)c) : Vector512<T>.One;
                (numerator / Vector512.Sqrt(Vector512.LoadUnsafe(ref variance0, (nuint)c) + wideEpsilons)).StoreUnsafe(ref scale0, (nuint)c);
            }
        }

        var epsilons = new Vector<T>(epsilon);
        for (; c + Vector<T>.Count <= channels; c += Vector<T>.Count)
        {
            var numerator = scaled ? Vector.LoadUnsafe(ref gamma0, (nuint)c) : Vector<T>.One;
            (numerator / Vector.SquareRoot(Vector.LoadUnsafe(ref variance0, (nuint)c) + epsilons)).StoreUnsafe(ref scale0, (nuint)c);
        }

        for (; c < channels; c++)
        {
            scale[c] = (config.Scale ? gamma[c] : T.One) / T.Sqrt(variance[c] + epsilon);
        }

        table.Seal();
    }
}
