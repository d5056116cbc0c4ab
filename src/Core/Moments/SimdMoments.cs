using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using BnNative.Tensors;

namespace BnNative.Moments;

/// <summary>
/// Managed vectorized moments (<see cref="Vector{T}"/>): shifted sums accumulated in the element type over at
/// most <see cref="ShiftedSumsBackend.FoldLength"/> elements per lane, then folded into double.
/// </summary>
internal sealed class SimdMoments : ShiftedSumsBackend
{
    /// <summary>Rows of at most this many 256-bit vectors keep their accumulators in registers.</summary>
    private const int RegisterVectors = 8;

    public override string Name => "simd";

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void AccumulateRuns<T>(
        ChannelBlocks<T> blocks, long firstPair, long endPair, ReadOnlySpan<T> shifts, Span<double> sum, Span<double> sumOfSquares)
    {
        ref T data = ref MemoryMarshal.GetReference(blocks.Memory.Span);
        int channels = blocks.Channels;
        int inner = blocks.Inner;
        long channelStride = blocks.ChannelStride;
        int c = (int)(firstPair % channels);
        var cursor = blocks.CursorAt(firstPair / channels);
        int slot = 0;
        for (long p = firstPair; p < endPair; p++)
        {
            ref T run = ref Unsafe.Add(ref data, (nint)(cursor.Offset + (c * channelStride)));
            var (s1, s2) = SumRun(ref run, inner, shifts[c]);
            sum[slot] += s1;
            sumOfSquares[slot] += s2;
            if (++slot == channels)
            {
                slot = 0;
            }

            if (++c == channels)
            {
                c = 0;
                cursor.MoveNext();
            }
        }
    }

    protected override void AccumulateRows<T>(
        ChannelBlocks<T> blocks, long firstRow, long endRow, ReadOnlySpan<T> shifts, Span<double> sum, Span<double> sumOfSquares)
    {
        if (Vector256.IsHardwareAccelerated && blocks.Channels >= Vector256<T>.Count && blocks.Channels <= RegisterVectors * Vector256<T>.Count)
        {
            RowsInRegisters(blocks, firstRow, endRow, shifts, sum, sumOfSquares);
        }
        else
        {
            RowsInMemory(blocks, firstRow, endRow, shifts, sum, sumOfSquares);
        }
    }

    /// <summary>
    /// Rows of up to <see cref="RegisterVectors"/> vectors: every channel's partial sums stay in registers while the
    /// rows are read strictly in memory order (the hardware prefetcher sees one stream).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowsInRegisters<T>(
        ChannelBlocks<T> blocks, long firstRow, long endRow, ReadOnlySpan<T> shifts, Span<double> sum, Span<double> sumOfSquares)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int channels = blocks.Channels;
        int width = Vector256<T>.Count;
        int vectors = channels / width;
        int tail = vectors * width;
        Span<T> partial = stackalloc T[2 * RegisterVectors * Vector256<T>.Count];
        var tail1 = partial.Slice(0, channels);
        var tail2 = partial.Slice(channels, channels);
        tail1.Clear();
        tail2.Clear();
        ref T data = ref MemoryMarshal.GetReference(blocks.Memory.Span);
        ref T shift = ref MemoryMarshal.GetReference(shifts);
        var k0 = Vector256.LoadUnsafe(ref shift, 0);
        var k1 = vectors > 1 ? Vector256.LoadUnsafe(ref shift, (nuint)width) : default;
        var k2 = vectors > 2 ? Vector256.LoadUnsafe(ref shift, (nuint)(2 * width)) : default;
        var k3 = vectors > 3 ? Vector256.LoadUnsafe(ref shift, (nuint)(3 * width)) : default;
        var k4 = vectors > 4 ? Vector256.LoadUnsafe(ref shift, (nuint)(4 * width)) : default;
        var k5 = vectors > 5 ? Vector256.LoadUnsafe(ref shift, (nuint)(5 * width)) : default;
        var k6 = vectors > 6 ? Vector256.LoadUnsafe(ref shift, (nuint)(6 * width)) : default;
        var k7 = vectors > 7 ? Vector256.LoadUnsafe(ref shift, (nuint)(7 * width)) : default;
        var cursor = blocks.CursorAt(firstRow);
        long row = firstRow;
        while (row < endRow)
        {
            long foldEnd = Math.Min(endRow, row + FoldLength);
            Vector256<T> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            Vector256<T> b0 = default, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default, b6 = default, b7 = default;
            for (; row < foldEnd; row++)
            {
                ref T x = ref Unsafe.Add(ref data, (nint)cursor.Offset);
                var v0 = Vector256.LoadUnsafe(ref x, 0) - k0;
                a0 += v0;
                b0 = MultiplyAdd(v0, v0, b0);
                if (vectors > 1)
                {
                    var v1 = Vector256.LoadUnsafe(ref x, (nuint)width) - k1;
                    a1 += v1;
                    b1 = MultiplyAdd(v1, v1, b1);
                }

                if (vectors > 2)
                {
                    var v2 = Vector256.LoadUnsafe(ref x, (nuint)(2 * width)) - k2;
                    a2 += v2;
                    b2 = MultiplyAdd(v2, v2, b2);
                }

                if (vectors > 3)
                {
                    var v3 = Vector256.LoadUnsafe(ref x, (nuint)(3 * width)) - k3;
                    a3 += v3;
                    b3 = MultiplyAdd(v3, v3, b3);
                }

                if (vectors > 4)
                {
                    var v4 = Vector256.LoadUnsafe(ref x, (nuint)(4 * width)) - k4;
                    a4 += v4;
                    b4 = MultiplyAdd(v4, v4, b4);
                }

                if (vectors > 5)
                {
                    var v5 = Vector256.LoadUnsafe(ref x, (nuint)(5 * width)) - k5;
                    a5 += v5;
                    b5 = MultiplyAdd(v5, v5, b5);
                }

                if (vectors > 6)
                {
                    var v6 = Vector256.LoadUnsafe(ref x, (nuint)(6 * width)) - k6;
                    a6 += v6;
                    b6 = MultiplyAdd(v6, v6, b6);
                }

                if (vectors > 7)
                {
                    var v7 = Vector256.LoadUnsafe(ref x, (nuint)(7 * width)) - k7;
                    a7 += v7;
                    b7 = MultiplyAdd(v7, v7, b7);
                }

                for (int j = tail; j < channels; j++)
                {
                    T d = Unsafe.Add(ref x, j) - Unsafe.Add(ref shift, j);
                    tail1[j] += d;
                    tail2[j] = T.FusedMultiplyAdd(d, d, tail2[j]);
                }

                cursor.MoveNext();
            }

            a0.CopyTo(tail1);
            b0.CopyTo(tail2);
            Spill(vectors, 1, a1, b1, tail1, tail2);
            Spill(vectors, 2, a2, b2, tail1, tail2);
            Spill(vectors, 3, a3, b3, tail1, tail2);
            Spill(vectors, 4, a4, b4, tail1, tail2);
            Spill(vectors, 5, a5, b5, tail1, tail2);
            Spill(vectors, 6, a6, b6, tail1, tail2);
            Spill(vectors, 7, a7, b7, tail1, tail2);
            for (int c = 0; c < channels; c++)
            {
                sum[c] += double.CreateTruncating(tail1[c]);
                sumOfSquares[c] += double.CreateTruncating(tail2[c]);
            }

            tail1.Clear();
            tail2.Clear();
        }
    }

    private static void Spill<T>(int vectors, int index, Vector256<T> sum, Vector256<T> sumOfSquares, Span<T> sums, Span<T> squares)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (vectors > index)
        {
            sum.CopyTo(sums[(index * Vector256<T>.Count)..]);
            sumOfSquares.CopyTo(squares[(index * Vector256<T>.Count)..]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowsInMemory<T>(
        ChannelBlocks<T> blocks, long firstRow, long endRow, ReadOnlySpan<T> shifts, Span<double> sum, Span<double> sumOfSquares)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int channels = blocks.Channels;
        int width = Vector<T>.Count;
        int vectorEnd = channels - (channels % width);
        var buffer = ArrayPool<T>.Shared.Rent(2 * channels);
        try
        {
            var partial1 = buffer.AsSpan(0, channels);
            var partial2 = buffer.AsSpan(channels, channels);
            partial1.Clear();
            partial2.Clear();
            ref T data = ref MemoryMarshal.GetReference(blocks.Memory.Span);
            ref T shift = ref MemoryMarshal.GetReference(shifts);
            ref T acc1 = ref MemoryMarshal.GetReference(partial1);
            ref T acc2 = ref MemoryMarshal.GetReference(partial2);
            var cursor = blocks.CursorAt(firstRow);
            long row = firstRow;
            while (row < endRow)
            {
                long foldEnd = Math.Min(endRow, row + FoldLength);
                for (; row < foldEnd; row++)
                {
                    ref T x = ref Unsafe.Add(ref data, (nint)cursor.Offset);
                    int j = 0;
                    for (; j < vectorEnd; j += width)
                    {
                        var v = Vector.LoadUnsafe(ref x, (nuint)j) - Vector.LoadUnsafe(ref shift, (nuint)j);
                        (Vector.LoadUnsafe(ref acc1, (nuint)j) + v).StoreUnsafe(ref acc1, (nuint)j);
                        MultiplyAdd(v, v, Vector.LoadUnsafe(ref acc2, (nuint)j)).StoreUnsafe(ref acc2, (nuint)j);
                    }

                    for (; j < channels; j++)
                    {
                        T d = Unsafe.Add(ref x, j) - Unsafe.Add(ref shift, j);
                        Unsafe.Add(ref acc1, j) += d;
                        Unsafe.Add(ref acc2, j) = T.FusedMultiplyAdd(d, d, Unsafe.Add(ref acc2, j));
                    }

                    cursor.MoveNext();
                }

                for (int c = 0; c < channels; c++)
                {
                    sum[c] += double.CreateTruncating(partial1[c]);
                    sumOfSquares[c] += double.CreateTruncating(partial2[c]);
                }

                partial1.Clear();
                partial2.Clear();
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(buffer);
        }
    }

    /// <summary>Σ(x − shift) and Σ(x − shift)² over one contiguous run, in double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (double Sum, double SumOfSquares) SumRun<T>(ref T start, int length, T shift)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int width = Vector<T>.Count;
        int step = 2 * width;
        var k = new Vector<T>(shift);
        double s1 = 0;
        double s2 = 0;
        int i = 0;
        while (length - i >= step)
        {
            int blockEnd = i + Math.Min(FoldLength * width, (length - i) / step * step);
            var a1 = Vector<T>.Zero;
            var a2 = Vector<T>.Zero;
            var b1 = Vector<T>.Zero;
            var b2 = Vector<T>.Zero;
            for (; i < blockEnd; i += step)
            {
                var v = Vector.LoadUnsafe(ref start, (nuint)i) - k;
                var w = Vector.LoadUnsafe(ref start, (nuint)(i + width)) - k;
                a1 += v;
                a2 = MultiplyAdd(v, v, a2);
                b1 += w;
                b2 = MultiplyAdd(w, w, b2);
            }

            s1 += SumToDouble(a1 + b1);
            s2 += SumToDouble(a2 + b2);
        }

        for (; i < length; i++)
        {
            double d = double.CreateTruncating(Unsafe.Add(ref start, i) - shift);
            s1 += d;
            s2 += d * d;
        }

        return (s1, s2);
    }

    /// <summary>a·b + c, fused (one rounding), for float or double lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> MultiplyAdd<T>(Vector256<T> a, Vector256<T> b, Vector256<T> c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            return Vector256.FusedMultiplyAdd(a.As<T, float>(), b.As<T, float>(), c.As<T, float>()).As<float, T>();
        }

        return Vector256.FusedMultiplyAdd(a.As<T, double>(), b.As<T, double>(), c.As<T, double>()).As<double, T>();
    }

    /// <summary>a·b + c, fused (one rounding), for float or double lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> MultiplyAdd<T>(Vector<T> a, Vector<T> b, Vector<T> c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            return Vector.FusedMultiplyAdd(a.As<T, float>(), b.As<T, float>(), c.As<T, float>()).As<float, T>();
        }

        return Vector.FusedMultiplyAdd(a.As<T, double>(), b.As<T, double>(), c.As<T, double>()).As<double, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double SumToDouble<T>(Vector<T> v)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            Vector.Widen(v.As<T, float>(), out var low, out var high);
            return Vector.Sum(low + high);
        }

        return Vector.Sum(v.As<T, double>());
    }
}
