using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using BnNative.Tensors;

namespace BnNative.Normalization;

/// <summary>
/// The element-wise passes of batch normalization over views of any layout: rows along the last axis (contiguous
/// rows vectorized), the channel per row or per element depending on where the channel axis is.
/// </summary>
/// <remarks>
/// These passes walk the logical index space of two or three views at once, whose strides may differ (a permuted
/// input, a row-major output), so they do not use the single-view <see cref="ChannelBlocks{T}"/> decomposition the
/// moments kernels read.
/// </remarks>
internal static class ChannelKernels
{
    /// <summary>y = (x − mHi − mLo)·a + b per channel: the mean is subtracted first, in two parts, so its full precision reaches the difference.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Normalize<T>(
        TensorView<T> x, TensorView<T> y, int axis, ReadOnlySpan<T> meanHigh, ReadOnlySpan<T> meanLow, ReadOnlySpan<T> scale, ReadOnlySpan<T> offset)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int capacity = Math.Max(x.Rank, 3);
        var rows = new Rows(x.Shape, y.Shape, y.Shape, axis, stackalloc int[2 * capacity], stackalloc long[3 * capacity]);
        var xs = x.Memory.Span;
        var ys = y.Memory.Span;
        int length = rows.Length;
        if (rows.ContiguousChannelRows)
        {
            // Channels innermost, both views contiguous: walk the rows directly, without the per-row index arithmetic.
            var src = xs.Slice((int)x.Shape.Offset, (int)x.ElementCount);
            var dst = ys.Slice((int)y.Shape.Offset, (int)x.ElementCount);
            for (int start = 0; start < src.Length; start += length)
            {
                NormalizeChannelsRow(src.Slice(start, length), dst.Slice(start, length), meanHigh, meanLow, scale, offset);
            }

            return;
        }

        bool streaming = Streaming.Wanted(y);
        using var pin = streaming ? y.Memory.Pin() : default;
        while (rows.Next(out long xi, out long yi, out _, out int channel))
        {
            if (channel >= 0)
            {
                T hi = meanHigh[channel], lo = meanLow[channel], a = scale[channel], b = offset[channel];
                if (rows.StrideX == 1 && rows.StrideY == 1)
                {
                    var src = xs.Slice((int)xi, length);
                    var dst = ys.Slice((int)yi, length);
                    int i = 0;
                    var vh = new Vector<T>(hi);
                    var vl = new Vector<T>(lo);
                    var va = new Vector<T>(a);
                    var vb = new Vector<T>(b);
                    for (; i + Vector<T>.Count <= length; i += Vector<T>.Count)
                    {
                        (((new Vector<T>(src[i..]) - vh - vl) * va) + vb).StoreTo(dst, i, streaming);
                    }

                    for (; i < length; i++)
                    {
                        dst[i] = ((src[i] - hi - lo) * a) + b;
                    }
                }
                else
                {
                    for (int i = 0; i < length; i++)
                    {
                        ys[(int)(yi + (i * rows.StrideY))] = ((xs[(int)(xi + (i * rows.StrideX))] - hi - lo) * a) + b;
                    }
                }
            }
            else if (rows.StrideX == 1 && rows.StrideY == 1)
            {
                NormalizeChannelsRow(xs.Slice((int)xi, length), ys.Slice((int)yi, length), meanHigh, meanLow, scale, offset);
            }
            else
            {
                // The channel axis is the last one: the channel is the index in the row.
                for (int c = 0; c < length; c++)
                {
                    ys[(int)(yi + (c * rows.StrideY))] = ((xs[(int)(xi + (c * rows.StrideX))] - meanHigh[c] - meanLow[c]) * scale[c]) + offset[c];
                }
            }
        }
        Streaming.Fence(streaming);
    }

    /// <summary>One contiguous row of channels: per-channel coefficients load as vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void NormalizeChannelsRow<T>(
        ReadOnlySpan<T> src, Span<T> dst, ReadOnlySpan<T> meanHigh, ReadOnlySpan<T> meanLow, ReadOnlySpan<T> scale, ReadOnlySpan<T> offset)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = 0;
        for (; c + Vector<T>.Count <= src.Length; c += Vector<T>.Count)
        {
            var centered = new Vector<T>(src[c..]) - new Vector<T>(meanHigh[c..]) - new Vector<T>(meanLow[c..]);
            ((centered * new Vector<T>(scale[c..])) + new Vector<T>(offset[c..])).CopyTo(dst[c..]);
        }

        for (; c < src.Length; c++)
        {
            dst[c] = ((src[c] - meanHigh[c] - meanLow[c]) * scale[c]) + offset[c];
        }
    }

    /// <summary>Per channel, Σdy and Σ(x − mean)·dy, accumulated in double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GradientSums<T>(
        TensorView<T> x, TensorView<T> dy, int axis, ReadOnlySpan<double> mean, Span<double> sumDy, Span<double> sumDyCentered)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int capacity = Math.Max(x.Rank, 3);
        var rows = new Rows(x.Shape, dy.Shape, dy.Shape, axis, stackalloc int[2 * capacity], stackalloc long[3 * capacity]);
        var xs = x.Memory.Span;
        var ds = dy.Memory.Span;
        int length = rows.Length;
        if (rows.ContiguousChannelRows)
        {
            var xAll = xs.Slice((int)x.Shape.Offset, (int)x.ElementCount);
            var dAll = ds.Slice((int)dy.Shape.Offset, (int)x.ElementCount);
            for (int start = 0; start < xAll.Length; start += length)
            {
                ChannelsLastGradientSums(xAll.Slice(start, length), dAll.Slice(start, length), mean, sumDy, sumDyCentered);
            }

            return;
        }

        while (rows.Next(out long xi, out long di, out _, out int channel))
        {
            if (channel >= 0 && rows.StrideX == 1 && rows.StrideY == 1)
            {
                var (s1, s2) = ContiguousGradientSums(xs.Slice((int)xi, length), ds.Slice((int)di, length), mean[channel]);
                sumDy[channel] += s1;
                sumDyCentered[channel] += s2;
            }
            else if (channel >= 0)
            {
                double m = mean[channel];
                double s1 = 0;
                double s2 = 0;
                for (int i = 0; i < length; i++)
                {
                    double g = double.CreateTruncating(ds[(int)(di + (i * rows.StrideY))]);
                    s1 += g;
                    s2 += (double.CreateTruncating(xs[(int)(xi + (i * rows.StrideX))]) - m) * g;
                }

                sumDy[channel] += s1;
                sumDyCentered[channel] += s2;
            }
            else if (rows.StrideX == 1 && rows.StrideY == 1)
            {
                ChannelsLastGradientSums(xs.Slice((int)xi, length), ds.Slice((int)di, length), mean, sumDy, sumDyCentered);
            }
            else
            {
                for (int c = 0; c < length; c++)
                {
                    double g = double.CreateTruncating(ds[(int)(di + (c * rows.StrideY))]);
                    sumDy[c] += g;
                    sumDyCentered[c] += (double.CreateTruncating(xs[(int)(xi + (c * rows.StrideX))]) - mean[c]) * g;
                }
            }
        }
    }

    /// <summary>dx = a·dy + b·(x − mHi − mLo) + c per channel (the training-mode input gradient, coefficients precomputed).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void InputGradient<T>(
        TensorView<T> x, TensorView<T> dy, TensorView<T> dx, int axis,
        ReadOnlySpan<T> meanHigh, ReadOnlySpan<T> meanLow, ReadOnlySpan<T> a, ReadOnlySpan<T> b, ReadOnlySpan<T> c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int capacity = Math.Max(x.Rank, 3);
        var rows = new Rows(x.Shape, dy.Shape, dx.Shape, axis, stackalloc int[2 * capacity], stackalloc long[3 * capacity]);
        var xs = x.Memory.Span;
        var ds = dy.Memory.Span;
        var gs = dx.Memory.Span;
        int length = rows.Length;
        if (rows.ContiguousChannelRows)
        {
            var xAll = xs.Slice((int)x.Shape.Offset, (int)x.ElementCount);
            var dAll = ds.Slice((int)dy.Shape.Offset, (int)x.ElementCount);
            var gAll = gs.Slice((int)dx.Shape.Offset, (int)x.ElementCount);
            for (int start = 0; start < xAll.Length; start += length)
            {
                ContiguousInputGradient(xAll.Slice(start, length), dAll.Slice(start, length), gAll.Slice(start, length), -1, false, meanHigh, meanLow, a, b, c);
            }

            return;
        }

        bool streaming = Streaming.Wanted(dx);
        using var pin = streaming ? dx.Memory.Pin() : default;
        while (rows.Next(out long xi, out long di, out long gi, out int channel))
        {
            if (rows.StrideX == 1 && rows.StrideY == 1 && rows.StrideZ == 1)
            {
                ContiguousInputGradient(xs.Slice((int)xi, length), ds.Slice((int)di, length), gs.Slice((int)gi, length), channel, streaming, meanHigh, meanLow, a, b, c);
                continue;
            }

            for (int i = 0; i < length; i++)
            {
                int ch = channel >= 0 ? channel : i;
                T centered = xs[(int)(xi + (i * rows.StrideX))] - meanHigh[ch] - meanLow[ch];
                gs[(int)(gi + (i * rows.StrideZ))] = (a[ch] * ds[(int)(di + (i * rows.StrideY))]) + (b[ch] * centered) + c[ch];
            }
        }
        Streaming.Fence(streaming);
    }

    /// <summary>
    /// Σdy and Σ(x − mean)·dy over one contiguous row of one channel, vectorized in the element type over at most 64
    /// vectors per partial sum, folded into double.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (double SumDy, double SumDyCentered) ContiguousGradientSums<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, double mean)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int width = Vector<T>.Count;
        T high = T.CreateTruncating(mean);
        T low = T.CreateTruncating(mean - double.CreateTruncating(high));
        var vh = new Vector<T>(high);
        var vl = new Vector<T>(low);
        double s1 = 0;
        double s2 = 0;
        int i = 0;
        while (x.Length - i >= width)
        {
            int end = i + (Math.Min(64, (x.Length - i) / width) * width);
            var a1 = Vector<T>.Zero;
            var a2 = Vector<T>.Zero;
            for (; i < end; i += width)
            {
                var g = new Vector<T>(dy[i..]);
                a1 += g;
                a2 += (new Vector<T>(x[i..]) - vh - vl) * g;
            }

            for (int lane = 0; lane < width; lane++)
            {
                s1 += double.CreateTruncating(a1[lane]);
                s2 += double.CreateTruncating(a2[lane]);
            }
        }

        for (; i < x.Length; i++)
        {
            double g = double.CreateTruncating(dy[i]);
            s1 += g;
            s2 += (double.CreateTruncating(x[i]) - mean) * g;
        }

        return (s1, s2);
    }

    /// <summary>One contiguous row of channels: per channel, Σdy and Σ(x − mean)·dy added in double, vectorized.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ChannelsLastGradientSums<T>(
        ReadOnlySpan<T> x, ReadOnlySpan<T> dy, ReadOnlySpan<double> mean, Span<double> sumDy, Span<double> sumDyCentered)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = 0;
        int width = Vector<double>.Count;
        if (typeof(T) == typeof(float))
        {
            var xf = MemoryMarshal.Cast<T, float>(x);
            var gf = MemoryMarshal.Cast<T, float>(dy);
            for (; c + (2 * width) <= x.Length; c += 2 * width)
            {
                Vector.Widen(new Vector<float>(gf[c..]), out var gLow, out var gHigh);
                Vector.Widen(new Vector<float>(xf[c..]), out var xLow, out var xHigh);
                AddLanes(sumDy, c, gLow, gHigh);
                AddLanes(sumDyCentered, c, (xLow - new Vector<double>(mean[c..])) * gLow, (xHigh - new Vector<double>(mean[(c + width)..])) * gHigh);
            }
        }
        else
        {
            var xd = MemoryMarshal.Cast<T, double>(x);
            var gd = MemoryMarshal.Cast<T, double>(dy);
            for (; c + width <= x.Length; c += width)
            {
                var g = new Vector<double>(gd[c..]);
                (new Vector<double>(sumDy[c..]) + g).CopyTo(sumDy[c..]);
                (new Vector<double>(sumDyCentered[c..]) + ((new Vector<double>(xd[c..]) - new Vector<double>(mean[c..])) * g)).CopyTo(sumDyCentered[c..]);
            }
        }

        for (; c < x.Length; c++)
        {
            double g = double.CreateTruncating(dy[c]);
            sumDy[c] += g;
            sumDyCentered[c] += (double.CreateTruncating(x[c]) - mean[c]) * g;
        }
    }

    /// <summary>target[start..] += low, target[start + Count..] += high.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddLanes(Span<double> target, int start, Vector<double> low, Vector<double> high)
    {
        var first = target[start..];
        var second = target[(start + Vector<double>.Count)..];
        (new Vector<double>(first) + low).CopyTo(first);
        (new Vector<double>(second) + high).CopyTo(second);
    }

    /// <summary>One contiguous row of <see cref="InputGradient"/>: the channel fixed (≥ 0) or the row index (−1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ContiguousInputGradient<T>(
        ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx, int channel, bool streaming,
        ReadOnlySpan<T> meanHigh, ReadOnlySpan<T> meanLow, ReadOnlySpan<T> a, ReadOnlySpan<T> b, ReadOnlySpan<T> c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        int width = Vector<T>.Count;
        if (channel >= 0)
        {
            var vh = new Vector<T>(meanHigh[channel]);
            var vl = new Vector<T>(meanLow[channel]);
            var va = new Vector<T>(a[channel]);
            var vb = new Vector<T>(b[channel]);
            var vc = new Vector<T>(c[channel]);
            for (; i + width <= x.Length; i += width)
            {
                var centered = new Vector<T>(x[i..]) - vh - vl;
                ((va * new Vector<T>(dy[i..])) + (vb * centered) + vc).StoreTo(dx, i, streaming);
            }
        }
        else
        {
            for (; i + width <= x.Length; i += width)
            {
                var centered = new Vector<T>(x[i..]) - new Vector<T>(meanHigh[i..]) - new Vector<T>(meanLow[i..]);
                ((new Vector<T>(a[i..]) * new Vector<T>(dy[i..])) + (new Vector<T>(b[i..]) * centered) + new Vector<T>(c[i..])).CopyTo(dx[i..]);
            }
        }

        for (; i < x.Length; i++)
        {
            int ch = channel >= 0 ? channel : i;
            dx[i] = (a[ch] * dy[i]) + (b[ch] * (x[i] - meanHigh[ch] - meanLow[ch])) + c[ch];
        }
    }

    /// <summary>True when every element of <paramref name="x"/> is finite; on failure, the first offending value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool AllFinite<T>(TensorView<T> x, out T firstBad)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int capacity = Math.Max(x.Rank, 3);
        var rows = new Rows(x.Shape, x.Shape, x.Shape, x.Rank - 1, stackalloc int[2 * capacity], stackalloc long[3 * capacity]);
        var xs = x.Memory.Span;
        while (rows.Next(out long xi, out _, out _, out _))
        {
            for (int i = 0; i < rows.Length; i++)
            {
                T value = xs[(int)(xi + (i * rows.StrideX))];
                if (!T.IsFinite(value))
                {
                    firstBad = value;
                    return false;
                }
            }
        }

        firstBad = T.Zero;
        return true;
    }

    /// <summary>
    /// Walks the rows (last axis) of up to three views of the same lengths, yielding each row's offsets and channel.
    /// When every view is row-major contiguous the walk sees them as [outer, C, inner] (or [outer, C] when the channel
    /// axis is last), so rows are long (H·W for NCHW, C for NHWC) instead of the last axis alone; nothing is allocated.
    /// </summary>
    private ref struct Rows
    {
        private readonly Span<int> _lengths;
        private readonly Span<int> _index;
        private readonly Span<long> _strideX;
        private readonly Span<long> _strideY;
        private readonly Span<long> _strideZ;
        private readonly long _offsetX;
        private readonly long _offsetY;
        private readonly long _offsetZ;
        private readonly int _axis;
        private long _remaining;

        /// <param name="x">First view's shape (the lengths of all three).</param>
        /// <param name="y">Second view's shape.</param>
        /// <param name="z">Third view's shape.</param>
        /// <param name="axis">The channel axis of <paramref name="x"/>.</param>
        /// <param name="ints">Scratch for 2·max(rank, 3) ints.</param>
        /// <param name="longs">Scratch for 3·max(rank, 3) longs.</param>
        public Rows(TensorShape x, TensorShape y, TensorShape z, int axis, Span<int> ints, Span<long> longs)
        {
            int capacity = ints.Length / 2;
            int rank;
            if (x.IsRowMajorContiguous && y.IsRowMajorContiguous && z.IsRowMajorContiguous)
            {
                int outer = 1;
                int inner = 1;
                for (int d = 0; d < axis; d++)
                {
                    outer *= x.Length(d);
                }

                for (int d = axis + 1; d < x.Rank; d++)
                {
                    inner *= x.Length(d);
                }

                rank = inner == 1 ? 2 : 3;
                ContiguousChannelRows = inner == 1 && x.ElementCount > 0;
                ints[0] = outer;
                ints[1] = x.Length(axis);
                ints[2] = inner;
                long stride = 1;
                for (int d = rank - 1; d >= 0; d--)
                {
                    longs[d] = longs[capacity + d] = longs[(2 * capacity) + d] = stride;
                    stride *= Math.Max(ints[d], 1);
                }

                _axis = 1;
            }
            else
            {
                rank = x.Rank;
                for (int d = 0; d < rank; d++)
                {
                    ints[d] = x.Length(d);
                    longs[d] = x.Stride(d);
                    longs[capacity + d] = y.Stride(d);
                    longs[(2 * capacity) + d] = z.Stride(d);
                }

                _axis = axis;
            }

            _lengths = ints[..rank];
            _index = ints.Slice(capacity, rank);
            _index.Clear();
            _strideX = longs[..rank];
            _strideY = longs.Slice(capacity, rank);
            _strideZ = longs.Slice(2 * capacity, rank);
            _offsetX = x.Offset;
            _offsetY = y.Offset;
            _offsetZ = z.Offset;
            Length = _lengths[^1];
            StrideX = _strideX[^1];
            StrideY = _strideY[^1];
            StrideZ = _strideZ[^1];
            _remaining = Length == 0 ? 0 : x.ElementCount / Length;
        }

        public int Length { get; }

        /// <summary>True when the views are contiguous [outer, C] blocks: row r of every view starts at offset + r·C.</summary>
        public bool ContiguousChannelRows { get; }

        public long StrideX { get; }

        public long StrideY { get; }

        public long StrideZ { get; }

        /// <summary>The next row: offsets in each view, and its channel (−1 when the channel axis is the last axis).</summary>
        public bool Next(out long xi, out long yi, out long zi, out int channel)
        {
            if (_remaining-- <= 0)
            {
                xi = yi = zi = 0;
                channel = 0;
                return false;
            }

            xi = _offsetX;
            yi = _offsetY;
            zi = _offsetZ;
            for (int d = 0; d < _index.Length - 1; d++)
            {
                xi += _index[d] * _strideX[d];
                yi += _index[d] * _strideY[d];
                zi += _index[d] * _strideZ[d];
            }

            channel = _axis == _index.Length - 1 ? -1 : _index[_axis];
            for (int d = _index.Length - 2; d >= 0; d--)
            {
                if (++_index[d] < _lengths[d])
                {
                    break;
                }

                _index[d] = 0;
            }

            return true;
        }
    }
}
