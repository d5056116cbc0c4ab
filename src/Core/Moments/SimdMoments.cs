using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using BnNative.Tensors;

namespace BnNative.Moments;

/// <summary>
/// Managed vectorized moments (<see cref="Vector{T}"/>): shifted sums accumulated in the element type over at
/// most <see cref="ShiftedSumsBackend.FoldLength"/> elements per lane, then folded into double.
/// </summary>
internal sealed class SimdMoments : ShiftedSumsBackend
{
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void AccumulateRows<T>(
        ChannelBlocks<T> blocks, long firstRow, long endRow, ReadOnlySpan<T> shifts, Span<double> sum, Span<double> sumOfSquares)
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
