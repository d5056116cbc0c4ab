using System.Numerics;
using System.Runtime.CompilerServices;
using BnNative.Kernels;
using BnNative.Moments;
using BnNative.Tensors;

namespace BnNative.Normalization;

/// <summary>
/// The element-wise and gradient passes of batch normalization, as the operators of the shared kernel design
/// (<see cref="ChannelMap"/>, <see cref="ChannelSums"/>): per-channel coefficients go into a
/// <see cref="CoefficientTable{T}"/> and one walker runs the operator over any layout and thread count.
/// </summary>
internal static unsafe class ChannelKernels
{
    /// <summary>y = (x − mHi − mLo)·a + b per channel: the mean is subtracted first, in two parts, so its full precision reaches the difference.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Normalize<T>(
        TensorView<T> x, TensorView<T> y, int axis, ReadOnlySpan<T> meanHigh, ReadOnlySpan<T> meanLow, ReadOnlySpan<T> scale, ReadOnlySpan<T> offset,
        int threads = 1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var table = new CoefficientTable<T>(meanHigh.Length, 4);
        meanHigh.CopyTo(table.Row(0));
        meanLow.CopyTo(table.Row(1));
        scale.CopyTo(table.Row(2));
        offset.CopyTo(table.Row(3));
        table.Seal();
        ChannelMap.Run<T, NormalizeOperator<T>>(x, null, y, axis, table, threads);
    }

    /// <summary>Per channel, Σdy and Σ(x − mean)·dy (partial sums in T over at most 64 elements per lane, folded into double).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GradientSums<T>(
        TensorView<T> x, TensorView<T> dy, int axis, ReadOnlySpan<double> mean, Span<double> sumDy, Span<double> sumDyCentered, int threads = 1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ShapeSet shapes = default;
        shapes[0] = x.Shape;
        shapes[1] = dy.Shape;
        if (!ChannelLayout.TryCreate(shapes[..2], axis, out var layout))
        {
            using var packed = new PackedViews<T>([x, dy], lastIsOutput: false);
            GradientSums(packed.Views[0], packed.Views[1], axis, mean, sumDy, sumDyCentered, threads);
            return;
        }

        int channels = mean.Length;
        using var table = new CoefficientTable<T>(channels, 2);
        SplitMean(mean, table.Row(0), table.Row(1));
        table.Seal();
        var totals = System.Buffers.ArrayPool<ChannelAccumulator>.Shared.Rent(channels);
        try
        {
            fixed (T* a = x.Memory.Span)
            fixed (T* b = dy.Memory.Span)
            fixed (T* k = table.Values)
            {
                ChannelSums.Run(layout, a, b, k, table.Stride, &ChannelSums.Accumulate<T, GradientProducts<T>>, 0, totals.AsSpan(0, channels), threads);
            }

            for (int c = 0; c < channels; c++)
            {
                (double s1, double s2) = totals[c].Sums;
                sumDy[c] += s1;
                sumDyCentered[c] += s2;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<ChannelAccumulator>.Shared.Return(totals);
        }
    }

    /// <summary>dx = a·dy + b·(x − mHi − mLo) + c per channel (the training-mode input gradient, coefficients precomputed).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void InputGradient<T>(
        TensorView<T> x, TensorView<T> dy, TensorView<T> dx, int axis,
        ReadOnlySpan<T> meanHigh, ReadOnlySpan<T> meanLow, ReadOnlySpan<T> a, ReadOnlySpan<T> b, ReadOnlySpan<T> c, int threads = 1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var table = new CoefficientTable<T>(meanHigh.Length, 5);
        meanHigh.CopyTo(table.Row(0));
        meanLow.CopyTo(table.Row(1));
        a.CopyTo(table.Row(2));
        b.CopyTo(table.Row(3));
        c.CopyTo(table.Row(4));
        table.Seal();
        ChannelMap.Run<T, InputGradientOperator<T>>(x, dy, dx, axis, table, threads);
    }

    /// <summary>dx = a·dy per channel (the inference-mode input gradient).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ScaleGradient<T>(TensorView<T> dy, TensorView<T> dx, int axis, ReadOnlySpan<T> a, int threads = 1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var table = new CoefficientTable<T>(a.Length, 1);
        a.CopyTo(table.Row(0));
        table.Seal();
        ChannelMap.Run<T, ScaleOperator<T>>(dy, null, dx, axis, table, threads);
    }

    /// <summary>True when every element of <paramref name="x"/> is finite; on failure, the first offending value in memory-walk order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool AllFinite<T>(TensorView<T> x, out T firstBad)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        firstBad = T.Zero;
        if (x.ElementCount == 0)
        {
            return true;
        }

        ShapeSet shapes = default;
        shapes[0] = x.Shape;
        int axis = x.Rank - 1;
        if (!ChannelLayout.TryCreate(shapes[..1], axis, out var layout))
        {
            using var packed = new PackedViews<T>([x], lastIsOutput: false);
            return AllFinite(packed.Views[0], out firstBad);
        }

        var data = x.Memory.Span;
        var cursor = new OuterCursor(layout, 0);
        int runLength = layout.ChannelsInner ? layout.Channels : layout.Inner;
        int runs = layout.ChannelsInner ? 1 : layout.Channels;
        for (long outer = 0; outer < layout.OuterCount; outer++)
        {
            for (int c = 0; c < runs; c++)
            {
                var run = data.Slice((int)(cursor.Offset(0) + (c * layout.ChannelStride(0))), runLength);
                foreach (T value in run)
                {
                    if (!T.IsFinite(value))
                    {
                        firstBad = value;
                        return false;
                    }
                }
            }

            cursor.Advance(1);
        }

        return true;
    }

    /// <summary>
    /// The mean as a high part in T plus the remainder in T, so that x − high − low keeps the mean's double precision
    /// (SPEC §4: rounding a mean near 1e4 to float alone costs about 1e-3).
    /// </summary>
    public static void SplitMean<T>(ReadOnlySpan<double> mean, Span<T> high, Span<T> low)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int c = 0; c < mean.Length; c++)
        {
            high[c] = T.CreateTruncating(mean[c]);
            low[c] = T.CreateTruncating(mean[c] - double.CreateTruncating(high[c]));
        }
    }
}
