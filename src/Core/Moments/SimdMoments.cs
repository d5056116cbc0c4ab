using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using BnNative.Tensors;

namespace BnNative.Moments;

/// <summary>
/// Managed vectorized moments: shifted sums accumulated in the element type, at most
/// <see cref="ShiftedSumsBackend.FoldLength"/> elements per lane, then folded into double per block.
/// </summary>
internal sealed class SimdMoments : ShiftedSumsBackend
{
    /// <summary>Rows of at most this many 256-bit vectors keep their accumulators in registers.</summary>
    private const int RegisterVectors = 8;

    public override string Name => "simd";

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void AccumulateRuns<T>(
        ChannelBlocks<T> blocks, long firstPair, long endPair, ReadOnlySpan<T> shifts, Span<ChannelAccumulator> slots)
    {
        var data = blocks.Memory.Span;
        int channels = blocks.Channels;
        int inner = blocks.Inner;
        long channelStride = blocks.ChannelStride;
        int c = (int)(firstPair % channels);
        var cursor = blocks.CursorAt(firstPair / channels);
        int slot = 0;
        for (long p = firstPair; p < endPair; p++)
        {
            AccumulateRun(data.Slice((int)(cursor.Offset + (c * channelStride)), inner), shifts[c], ref slots[slot]);
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
        ChannelBlocks<T> blocks, long firstRow, long endRow, ReadOnlySpan<T> shifts, Span<ChannelAccumulator> slots)
    {
        if (Vector256.IsHardwareAccelerated && blocks.Channels >= Vector256<T>.Count && blocks.Channels <= RegisterVectors * Vector256<T>.Count)
        {
            RowsInRegisters(blocks, firstRow, endRow, shifts, slots);
        }
        else
        {
            RowsInMemory(blocks, firstRow, endRow, shifts, slots);
        }
    }

    /// <summary>
    /// Rows of up to <see cref="RegisterVectors"/> vectors: every channel's partial sums stay in registers while the
    /// rows are read strictly in memory order (the hardware prefetcher sees one stream).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowsInRegisters<T>(
        ChannelBlocks<T> blocks, long firstRow, long endRow, ReadOnlySpan<T> shifts, Span<ChannelAccumulator> slots)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int channels = blocks.Channels;
        int width = Vector256<T>.Count;
        int vectors = channels / width;
        int tail = vectors * width;
        Span<T> partial = stackalloc T[2 * RegisterVectors * Vector256<T>.Count];
        var partial1 = partial[..channels];
        var partial2 = partial.Slice(channels, channels);
        partial.Clear();
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
        for (long blockStart = firstRow; blockStart < endRow; blockStart += FoldLength)
        {
            long blockEnd = Math.Min(endRow, blockStart + FoldLength);
            Vector256<T> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            Vector256<T> b0 = default, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default, b6 = default, b7 = default;
            for (long row = blockStart; row < blockEnd; row++)
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
                    partial1[j] += d;
                    partial2[j] = T.FusedMultiplyAdd(d, d, partial2[j]);
                }

                cursor.MoveNext();
            }

            Spill(vectors, 0, a0, b0, partial1, partial2);
            Spill(vectors, 1, a1, b1, partial1, partial2);
            Spill(vectors, 2, a2, b2, partial1, partial2);
            Spill(vectors, 3, a3, b3, partial1, partial2);
            Spill(vectors, 4, a4, b4, partial1, partial2);
            Spill(vectors, 5, a5, b5, partial1, partial2);
            Spill(vectors, 6, a6, b6, partial1, partial2);
            Spill(vectors, 7, a7, b7, partial1, partial2);
            FoldRowBlock(blocks, blockStart, (int)(blockEnd - blockStart), partial1, partial2, slots);
        }
    }

    /// <summary>Any row width: per-channel partial sums in an L1-resident buffer, rows read in memory order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowsInMemory<T>(
        ChannelBlocks<T> blocks, long firstRow, long endRow, ReadOnlySpan<T> shifts, Span<ChannelAccumulator> slots)
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
            for (long blockStart = firstRow; blockStart < endRow; blockStart += FoldLength)
            {
                long blockEnd = Math.Min(endRow, blockStart + FoldLength);
                for (long row = blockStart; row < blockEnd; row++)
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

                FoldRowBlock(blocks, blockStart, (int)(blockEnd - blockStart), partial1, partial2, slots);
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(buffer);
        }
    }

    /// <summary>Folds one block of rows into the channels' accumulators (exactly where the shifted sums would cancel) and clears the partials.</summary>
    private static void FoldRowBlock<T>(
        ChannelBlocks<T> blocks, long blockStart, int rows, Span<T> partial1, Span<T> partial2, Span<ChannelAccumulator> slots)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int c = 0; c < partial1.Length; c++)
        {
            if (!slots[c].TryAddShifted(rows, double.CreateTruncating(partial1[c]), double.CreateTruncating(partial2[c])))
            {
                var (mean, m2) = ExactColumn(blocks, blockStart, rows, c);
                slots[c].AddExact(rows, mean, m2);
            }
        }

        partial1.Clear();
        partial2.Clear();
    }

    /// <summary>Accumulates one contiguous run in blocks of <see cref="ShiftedSumsBackend.FoldLength"/> elements per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AccumulateRun<T>(ReadOnlySpan<T> run, T shift, ref ChannelAccumulator slot)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int width = Vector<T>.Count;
        int step = 2 * width;
        int blockLength = FoldLength * width;
        ref T start = ref MemoryMarshal.GetReference(run);
        var k = new Vector<T>(shift);
        for (int blockStart = 0; blockStart < run.Length; blockStart += blockLength)
        {
            int blockEnd = Math.Min(run.Length, blockStart + blockLength);
            int vectorEnd = blockStart + ((blockEnd - blockStart) / step * step);
            var a1 = Vector<T>.Zero;
            var a2 = Vector<T>.Zero;
            var b1 = Vector<T>.Zero;
            var b2 = Vector<T>.Zero;
            int i = blockStart;
            for (; i < vectorEnd; i += step)
            {
                var v = Vector.LoadUnsafe(ref start, (nuint)i) - k;
                var w = Vector.LoadUnsafe(ref start, (nuint)(i + width)) - k;
                a1 += v;
                a2 = MultiplyAdd(v, v, a2);
                b1 += w;
                b2 = MultiplyAdd(w, w, b2);
            }

            double s1 = SumToDouble(a1 + b1);
            double s2 = SumToDouble(a2 + b2);
            for (; i < blockEnd; i++)
            {
                double d = double.CreateTruncating(Unsafe.Add(ref start, i) - shift);
                s1 += d;
                s2 += d * d;
            }

            if (!slot.TryAddShifted(blockEnd - blockStart, s1, s2))
            {
                var (mean, m2) = ExactMoments(run[blockStart..blockEnd]);
                slot.AddExact(blockEnd - blockStart, mean, m2);
            }
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
