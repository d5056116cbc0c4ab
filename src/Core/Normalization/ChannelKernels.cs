using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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
    /// <summary>y = (x − mean)·scale + offset (<see cref="NormalizeOperator{T}"/>, table filled with its <c>Set</c>).</summary>
    public static void Normalize<T>(TensorView<T> x, TensorView<T> y, int axis, in CoefficientTable<T> table, int threads)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ChannelMap.Run<T, NormalizeOperator<T>>(x, null, y, axis, table, threads);

    /// <summary>
    /// <see cref="Normalize"/> for inference, a pass on its own: the same bits, streamed in rows rather than column
    /// groups (<see cref="IChannelMap{T}.StreamsInColumns"/>).
    /// </summary>
    public static void NormalizeAlone<T>(TensorView<T> x, TensorView<T> y, int axis, in CoefficientTable<T> table, int threads)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ChannelMap.Run<T, StandalonePass<T, NormalizeOperator<T>>>(x, null, y, axis, table, threads);

    /// <summary>dx = p·dy + q·(x − mean) + r (<see cref="InputGradientOperator{T}"/>, table filled with its <c>Set</c>).</summary>
    public static void InputGradient<T>(TensorView<T> x, TensorView<T> dy, TensorView<T> dx, int axis, in CoefficientTable<T> table, int threads)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ChannelMap.Run<T, InputGradientOperator<T>>(x, dy, dx, axis, table, threads);

    /// <summary>dx = p·dy (<see cref="ScaleOperator{T}"/>: table row p).</summary>
    public static void ScaleGradient<T>(TensorView<T> dy, TensorView<T> dx, int axis, in CoefficientTable<T> table, int threads)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ChannelMap.Run<T, ScaleOperator<T>>(dy, null, dx, axis, table, threads);

    /// <summary>
    /// Adds, per channel, Σdy to <paramref name="sumDy"/> and Σ(x − mean)·dy to <paramref name="sumDyCentered"/>:
    /// <see cref="GradientProducts{T}"/> around m_hi (table row 0, the mean rounded to T), partial sums in T over at most
    /// 64 elements per lane folded into double, then corrected by m_lo = mean − m_hi in double. Nothing is read when x is
    /// empty.
    /// </summary>
    public static void GradientSums<T>(
        TensorView<T> x, TensorView<T> dy, int axis, in CoefficientTable<T> table, ReadOnlySpan<double> mean, Span<double> sumDy,
        Span<double> sumDyCentered, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.ElementCount == 0)
        {
            return;
        }

        int channels = table.Channels;
        var high = table.Row(0);
        int periodVectors = ChannelSums.ShortRowsPeriod<T>(x.Shape, axis, out int rows);
        if (periodVectors != 0 && dy.Shape.IsRowMajorContiguous)
        {
            // At most 64 contiguous rows with a flat cycle: the same loop and additions as the general path, without
            // its layout, plan and accumulator slots (the short path of the moments, ChannelSums.TryShortRows). A flat
            // cycle is at most eight vectors, so the sums fit on the stack.
            Span<double> sums = stackalloc double[2 * ChannelSums.MaxPeriodVectors * Vector<T>.Count];
            fixed (T* a = x.Memory.Span)
            fixed (T* b = dy.Memory.Span)
            fixed (T* k = table.Values)
            fixed (double* sum = sums)
            {
                ChannelSums.TryShortRows<T, GradientProducts<T>>(
                    a + x.Shape.Offset, b + dy.Shape.Offset, rows, channels, periodVectors, k, sum, sum + channels);
            }

            AddSums(sums[..channels], sums.Slice(channels, channels), high, mean, sumDy, sumDyCentered);
            return;
        }

        GradientSumsWithSlots(x, dy, axis, table, mean, sumDy, sumDyCentered, threads);
    }

    /// <summary>
    /// The general path of <see cref="GradientSums"/>: any layout, chunks merged through per-channel accumulators in
    /// chunk order. Its short path for small batches gives these bits exactly (tests compare the two). With
    /// <paramref name="oneWindow"/>, a tensor of rows whose every chunk is one check window takes
    /// <see cref="WindowChunksGradientSums"/>, the same bits without the accumulators; tests pass false to compare the two.
    /// </summary>
    internal static void GradientSumsWithSlots<T>(
        TensorView<T> x, TensorView<T> dy, int axis, in CoefficientTable<T> table, ReadOnlySpan<double> mean, Span<double> sumDy,
        Span<double> sumDyCentered, int threads, bool oneWindow = true)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int channels = table.Channels;
        var high = table.Row(0);
        ShapeSet shapes = default;
        shapes[0] = x.Shape;
        shapes[1] = dy.Shape;
        if (!ChannelLayout.TryCreate(shapes[..2], axis, out var layout))
        {
            using var packed = new PackedViews<T>([x, dy], lastIsOutput: false);
            GradientSumsWithSlots(packed.Views[0], packed.Views[1], axis, table, mean, sumDy, sumDyCentered, threads, oneWindow);
            return;
        }

        if (oneWindow && ChannelSums.HasWindowChunks(layout, out var plan))
        {
            WindowChunksGradientSums(layout, plan, x, dy, table, mean, sumDy, sumDyCentered, threads);
            return;
        }

        var totals = ArrayPool<ChannelAccumulator>.Shared.Rent(channels);
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
                // The operator summed (x − m_hi)·dy; Σ(x − mean)·dy = that − m_lo·Σdy, with m_lo tiny.
                (double s1, double s2) = totals[c].Sums;
                sumDy[c] += s1;
                sumDyCentered[c] += s2 - ((mean[c] - double.CreateTruncating(high[c])) * s1);
            }
        }
        finally
        {
            ArrayPool<ChannelAccumulator>.Shared.Return(totals);
        }
    }

    /// <summary>
    /// <see cref="GradientSumsWithSlots"/> for a tensor of rows whose every chunk is one check window
    /// (<see cref="ChannelSums.TryWindowChunks"/>, with the <paramref name="plan"/> <see cref="ChannelSums.HasWindowChunks"/>
    /// gave): the same walk, its double sums added to the results straight away rather than through per-channel
    /// accumulators, each first added to +0 as an accumulator would, so the bits are the same.
    /// </summary>
    [SkipLocalsInit] // each chunk's walk clears its sums before it adds to them
    private static void WindowChunksGradientSums<T>(
        in ChannelLayout layout, in ChunkPlan plan, TensorView<T> x, TensorView<T> dy, in CoefficientTable<T> table,
        ReadOnlySpan<double> mean, Span<double> sumDy, Span<double> sumDyCentered, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int channels = table.Channels;
        var high = table.Row(0);
        Span<double> sums = stackalloc double[plan.Chunks * 2 * channels];
        fixed (T* a = x.Memory.Span)
        fixed (T* b = dy.Memory.Span)
        fixed (T* k = table.Values)
        fixed (double* sum = sums)
        {
            // The operator is unchecked: the walk is never refused.
            ChannelSums.TryWindowChunks<T, GradientProducts<T>>(layout, plan, a, b, k, table.Stride, sum, threads);
        }

        AddSums(sums[..channels], sums[channels..(2 * channels)], high, mean, sumDy, sumDyCentered);
    }

    /// <summary>
    /// Adds one pass's sums to the results, per channel: Σdy += S1 and Σ(x − mean)·dy += S2 − (mean − m_hi)·S1, each sum
    /// first added to +0 as an accumulator adds its block to sums that start at +0. For float, four channels at a time in
    /// double with the scalar loop's IEEE operations lane by lane (m_hi widened exactly, no fused multiply-add), so the
    /// bits are the same.
    /// </summary>
    private static void AddSums<T>(
        ReadOnlySpan<double> first, ReadOnlySpan<double> second, ReadOnlySpan<T> high, ReadOnlySpan<double> mean, Span<double> sumDy,
        Span<double> sumDyCentered)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int channels = first.Length;
        int c = 0;
        if (typeof(T) == typeof(float) && Vector256.IsHardwareAccelerated)
        {
            var highFloats = MemoryMarshal.Cast<T, float>(high);
            for (; c + 4 <= channels; c += 4)
            {
                var m = Vector128.Create(highFloats.Slice(c, 4));
                var mHigh = Vector256.Create(Vector128.WidenLower(m), Vector128.WidenUpper(m));
                var s1 = Vector256<double>.Zero + Vector256.Create(first.Slice(c, 4));
                var s2 = Vector256<double>.Zero + Vector256.Create(second.Slice(c, 4));
                (Vector256.Create(sumDy.Slice(c, 4)) + s1).CopyTo(sumDy.Slice(c, 4));
                var low = Vector256.Create(mean.Slice(c, 4)) - mHigh;
                (Vector256.Create(sumDyCentered.Slice(c, 4)) + (s2 - (low * s1))).CopyTo(sumDyCentered.Slice(c, 4));
            }
        }

        for (; c < channels; c++)
        {
            double s1 = 0.0 + first[c];
            double s2 = 0.0 + second[c];
            sumDy[c] += s1;
            sumDyCentered[c] += s2 - ((mean[c] - double.CreateTruncating(high[c])) * s1);
        }
    }

    /// <summary>Fills table row 0 with the means rounded to T (the m_hi the sums are taken around).</summary>
    public static void SetMeans<T>(ReadOnlySpan<double> mean, in CoefficientTable<T> table)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var high = table.Row(0);
        for (int c = 0; c < mean.Length; c++)
        {
            high[c] = T.CreateTruncating(mean[c]);
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
