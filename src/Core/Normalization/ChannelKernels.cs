using System.Buffers;
using System.Numerics;
using BnNative.Kernels;
using BnNative.Moments;
using BnNative.Tensors;

namespace BnNative.Normalization;

/// <summary>
/// The passes of batch normalization as operators of the shared kernel design: element-wise passes through
/// <see cref="ChannelMap"/>, the backward pass's sums through <see cref="ChannelSums"/>. Callers fill a
/// <see cref="CoefficientTable{T}"/> with the per-channel coefficients in the operator's order.
/// </summary>
internal static unsafe class ChannelKernels
{
    /// <summary>y = (x − m_hi − m_lo)·scale + offset (<see cref="NormalizeOperator{T}"/>: table rows m_hi, m_lo, scale, offset).</summary>
    public static void Normalize<T>(TensorView<T> x, TensorView<T> y, int axis, in CoefficientTable<T> table, int threads)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ChannelMap.Run<T, NormalizeOperator<T>>(x, null, y, axis, table, threads);

    /// <summary>dx = p·dy + q·(x − m_hi − m_lo) + r (<see cref="InputGradientOperator{T}"/>: table rows m_hi, m_lo, p, q, r).</summary>
    public static void InputGradient<T>(TensorView<T> x, TensorView<T> dy, TensorView<T> dx, int axis, in CoefficientTable<T> table, int threads)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ChannelMap.Run<T, InputGradientOperator<T>>(x, dy, dx, axis, table, threads);

    /// <summary>dx = p·dy (<see cref="ScaleOperator{T}"/>: table row p).</summary>
    public static void ScaleGradient<T>(TensorView<T> dy, TensorView<T> dx, int axis, in CoefficientTable<T> table, int threads)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ChannelMap.Run<T, ScaleOperator<T>>(dy, null, dx, axis, table, threads);

    /// <summary>
    /// Adds, per channel, Σdy to <paramref name="sumDy"/> and Σ(x − mean)·dy to <paramref name="sumDyCentered"/>
    /// (<see cref="GradientProducts{T}"/> around table row m_hi, corrected by row m_lo in double; partial sums in T over at most 64 elements per lane,
    /// folded into double). Nothing is read when x is empty.
    /// </summary>
    public static void GradientSums<T>(
        TensorView<T> x, TensorView<T> dy, int axis, in CoefficientTable<T> table, Span<double> sumDy, Span<double> sumDyCentered, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.ElementCount == 0)
        {
            return;
        }

        ShapeSet shapes = default;
        shapes[0] = x.Shape;
        shapes[1] = dy.Shape;
        if (!ChannelLayout.TryCreate(shapes[..2], axis, out var layout))
        {
            using var packed = new PackedViews<T>([x, dy], lastIsOutput: false);
            GradientSums(packed.Views[0], packed.Views[1], axis, table, sumDy, sumDyCentered, threads);
            return;
        }

        int channels = table.Channels;
        var totals = ArrayPool<ChannelAccumulator>.Shared.Rent(channels);
        try
        {
            fixed (T* a = x.Memory.Span)
            fixed (T* b = dy.Memory.Span)
            fixed (T* k = table.Values)
            {
                ChannelSums.Run(layout, a, b, k, table.Stride, &ChannelSums.Accumulate<T, GradientProducts<T>>, 0, totals.AsSpan(0, channels), threads);
            }

            var low = table.Row(1);
            for (int c = 0; c < channels; c++)
            {
                // The operator summed (x − m_hi)·dy; Σ(x − m_hi − m_lo)·dy = that − m_lo·Σdy, with m_lo tiny.
                (double s1, double s2) = totals[c].Sums;
                sumDy[c] += s1;
                sumDyCentered[c] += s2 - (double.CreateTruncating(low[c]) * s1);
            }
        }
        finally
        {
            ArrayPool<ChannelAccumulator>.Shared.Return(totals);
        }
    }

    /// <summary>
    /// Fills table rows 0 and 1 with the mean as a high part in T plus the remainder in T, so that x − high − low keeps
    /// the mean's double precision (SPEC §4: rounding a mean near 1e4 to float alone costs about 1e-3).
    /// </summary>
    public static void SplitMean<T>(ReadOnlySpan<double> mean, in CoefficientTable<T> table)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var high = table.Row(0);
        var low = table.Row(1);
        for (int c = 0; c < mean.Length; c++)
        {
            high[c] = T.CreateTruncating(mean[c]);
            low[c] = T.CreateTruncating(mean[c] - double.CreateTruncating(high[c]));
        }
    }

    /// <summary>True when every element of <paramref name="x"/> is finite; on failure, the first offending value in memory-walk order.</summary>
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
                foreach (T value in data.Slice((int)(cursor.Offset(0) + (c * layout.ChannelStride(0))), runLength))
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
}
