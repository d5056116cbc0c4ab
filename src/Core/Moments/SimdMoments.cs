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

    /// <summary>Rows whose double sums are checked for cancellation together (<see cref="ChannelAccumulator.TryAddShifted"/>).</summary>
    private const int CheckRows = 8 * FoldLength;

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
            switch (blocks.Channels / Vector256<T>.Count)
            {
                case 1:
                    RowsInRegisters<T, One>(blocks, firstRow, endRow, shifts, slots);
                    break;
                case 2:
                    RowsInRegisters<T, Two>(blocks, firstRow, endRow, shifts, slots);
                    break;
                case 3:
                    RowsInRegisters<T, Three>(blocks, firstRow, endRow, shifts, slots);
                    break;
                case 4:
                    RowsInRegisters<T, Four>(blocks, firstRow, endRow, shifts, slots);
                    break;
                case 5:
                    RowsInRegisters<T, Five>(blocks, firstRow, endRow, shifts, slots);
                    break;
                case 6:
                    RowsInRegisters<T, Six>(blocks, firstRow, endRow, shifts, slots);
                    break;
                case 7:
                    RowsInRegisters<T, Seven>(blocks, firstRow, endRow, shifts, slots);
                    break;
                default:
                    RowsInRegisters<T, Eight>(blocks, firstRow, endRow, shifts, slots);
                    break;
            }
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
    private static void RowsInRegisters<T, TVectors>(
        ChannelBlocks<T> blocks, long firstRow, long endRow, ReadOnlySpan<T> shifts, Span<ChannelAccumulator> slots)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TVectors : struct, IVectorCount
    {
        int channels = blocks.Channels;
        int tail = TVectors.Value * Vector256<T>.Count;
        Span<double> sums = stackalloc double[2 * RegisterVectors * Vector256<T>.Count];
        var sum1 = sums[..channels];
        var sum2 = sums.Slice(channels, channels);
        sums.Clear();
        ref T data = ref MemoryMarshal.GetReference(blocks.Memory.Span);
        ref T shift = ref MemoryMarshal.GetReference(shifts);
        var cursor = blocks.CursorAt(firstRow);
        long checkStart = firstRow;
        for (long row = firstRow; row < endRow;)
        {
            long blockEnd = Math.Min(endRow, row + FoldLength);
            while (row < blockEnd)
            {
                int stretch = (int)Math.Min(cursor.RemainingInInnermost, blockEnd - row);
                nint stride = (nint)cursor.InnermostStride;
                ref T first = ref Unsafe.Add(ref data, (nint)cursor.Offset);
                RowBlockInRegisters<T, TVectors>(
                    ref first, stride, stretch, ref shift, ref MemoryMarshal.GetReference(sum1), ref MemoryMarshal.GetReference(sum2));
                if (tail < channels)
                {
                    AddColumns(ref first, stride, stretch, tail, channels, shifts, sum1, sum2);
                }

                cursor.Advance(stretch);
                row += stretch;
            }

            CheckRowSums(blocks, row, endRow, ref checkStart, sum1, sum2, slots);
        }
    }

    /// <summary>
    /// The hot loop of <see cref="RowsInRegisters"/> over <paramref name="rows"/> ≤ <see cref="ShiftedSumsBackend.FoldLength"/>
    /// rows <paramref name="stride"/> apart: partial sums in registers, then added to the double sums. TVectors.Value is
    /// a constant of each instantiation, so the JIT drops the unused accumulators; the loop calls nothing, so none is
    /// spilled.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowBlockInRegisters<T, TVectors>(ref T first, nint stride, int rows, ref T shift, ref double sums, ref double squares)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TVectors : struct, IVectorCount
    {
        int w = Vector256<T>.Count;
        var k0 = Vector256.LoadUnsafe(ref shift, 0);
        var k1 = TVectors.Value > 1 ? Vector256.LoadUnsafe(ref shift, (nuint)w) : default;
        var k2 = TVectors.Value > 2 ? Vector256.LoadUnsafe(ref shift, (nuint)(2 * w)) : default;
        var k3 = TVectors.Value > 3 ? Vector256.LoadUnsafe(ref shift, (nuint)(3 * w)) : default;
        var k4 = TVectors.Value > 4 ? Vector256.LoadUnsafe(ref shift, (nuint)(4 * w)) : default;
        var k5 = TVectors.Value > 5 ? Vector256.LoadUnsafe(ref shift, (nuint)(5 * w)) : default;
        var k6 = TVectors.Value > 6 ? Vector256.LoadUnsafe(ref shift, (nuint)(6 * w)) : default;
        var k7 = TVectors.Value > 7 ? Vector256.LoadUnsafe(ref shift, (nuint)(7 * w)) : default;
        Vector256<T> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        Vector256<T> b0 = default, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default, b6 = default, b7 = default;
        ref T x = ref first;
        for (int r = 0; r < rows; r++, x = ref Unsafe.Add(ref x, stride))
        {
            var v0 = Vector256.LoadUnsafe(ref x, 0) - k0;
            a0 += v0;
            b0 = MultiplyAdd(v0, v0, b0);
            if (TVectors.Value > 1)
            {
                var v1 = Vector256.LoadUnsafe(ref x, (nuint)w) - k1;
                a1 += v1;
                b1 = MultiplyAdd(v1, v1, b1);
            }

            if (TVectors.Value > 2)
            {
                var v2 = Vector256.LoadUnsafe(ref x, (nuint)(2 * w)) - k2;
                a2 += v2;
                b2 = MultiplyAdd(v2, v2, b2);
            }

            if (TVectors.Value > 3)
            {
                var v3 = Vector256.LoadUnsafe(ref x, (nuint)(3 * w)) - k3;
                a3 += v3;
                b3 = MultiplyAdd(v3, v3, b3);
            }

            if (TVectors.Value > 4)
            {
                var v4 = Vector256.LoadUnsafe(ref x, (nuint)(4 * w)) - k4;
                a4 += v4;
                b4 = MultiplyAdd(v4, v4, b4);
            }

            if (TVectors.Value > 5)
            {
                var v5 = Vector256.LoadUnsafe(ref x, (nuint)(5 * w)) - k5;
                a5 += v5;
                b5 = MultiplyAdd(v5, v5, b5);
            }

            if (TVectors.Value > 6)
            {
                var v6 = Vector256.LoadUnsafe(ref x, (nuint)(6 * w)) - k6;
                a6 += v6;
                b6 = MultiplyAdd(v6, v6, b6);
            }

            if (TVectors.Value > 7)
            {
                var v7 = Vector256.LoadUnsafe(ref x, (nuint)(7 * w)) - k7;
                a7 += v7;
                b7 = MultiplyAdd(v7, v7, b7);
            }
        }

        AddWidened(a0, ref sums);
        AddWidened(b0, ref squares);
        if (TVectors.Value > 1)
        {
            AddWidened(a1, ref Unsafe.Add(ref sums, w));
            AddWidened(b1, ref Unsafe.Add(ref squares, w));
        }

        if (TVectors.Value > 2)
        {
            AddWidened(a2, ref Unsafe.Add(ref sums, 2 * w));
            AddWidened(b2, ref Unsafe.Add(ref squares, 2 * w));
        }

        if (TVectors.Value > 3)
        {
            AddWidened(a3, ref Unsafe.Add(ref sums, 3 * w));
            AddWidened(b3, ref Unsafe.Add(ref squares, 3 * w));
        }

        if (TVectors.Value > 4)
        {
            AddWidened(a4, ref Unsafe.Add(ref sums, 4 * w));
            AddWidened(b4, ref Unsafe.Add(ref squares, 4 * w));
        }

        if (TVectors.Value > 5)
        {
            AddWidened(a5, ref Unsafe.Add(ref sums, 5 * w));
            AddWidened(b5, ref Unsafe.Add(ref squares, 5 * w));
        }

        if (TVectors.Value > 6)
        {
            AddWidened(a6, ref Unsafe.Add(ref sums, 6 * w));
            AddWidened(b6, ref Unsafe.Add(ref squares, 6 * w));
        }

        if (TVectors.Value > 7)
        {
            AddWidened(a7, ref Unsafe.Add(ref sums, 7 * w));
            AddWidened(b7, ref Unsafe.Add(ref squares, 7 * w));
        }
    }

    /// <summary>Adds the lanes of <paramref name="v"/>, converted to double, to the doubles starting at <paramref name="target"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddWidened<T>(Vector256<T> v, ref double target)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            var (low, high) = Vector256.Widen(v.As<T, float>());
            (Vector256.LoadUnsafe(ref target) + low).StoreUnsafe(ref target);
            (Vector256.LoadUnsafe(ref target, (nuint)Vector256<double>.Count) + high).StoreUnsafe(ref target, (nuint)Vector256<double>.Count);
        }
        else
        {
            (Vector256.LoadUnsafe(ref target) + v.As<T, double>()).StoreUnsafe(ref target);
        }
    }

    /// <summary>Channels [<paramref name="from"/>, <paramref name="to"/>) of <paramref name="rows"/> rows, column by column, added to the double sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddColumns<T>(
        ref T first, nint stride, int rows, int from, int to, ReadOnlySpan<T> shifts, Span<double> sum1, Span<double> sum2)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int c = from; c < to; c++)
        {
            T s1 = T.Zero;
            T s2 = T.Zero;
            ref T x = ref Unsafe.Add(ref first, c);
            for (int r = 0; r < rows; r++, x = ref Unsafe.Add(ref x, stride))
            {
                T d = x - shifts[c];
                s1 += d;
                s2 = T.FusedMultiplyAdd(d, d, s2);
            }

            sum1[c] += double.CreateTruncating(s1);
            sum2[c] += double.CreateTruncating(s2);
        }
    }

    /// <summary>Any row width: per-channel partial sums in an L1-resident buffer, rows read in memory order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowsInMemory<T>(
        ChannelBlocks<T> blocks, long firstRow, long endRow, ReadOnlySpan<T> shifts, Span<ChannelAccumulator> slots)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int channels = blocks.Channels;
        var buffer = ArrayPool<T>.Shared.Rent(2 * channels);
        var sums = ArrayPool<double>.Shared.Rent(2 * channels);
        try
        {
            var partial1 = buffer.AsSpan(0, channels);
            var partial2 = buffer.AsSpan(channels, channels);
            partial1.Clear();
            partial2.Clear();
            var sum1 = sums.AsSpan(0, channels);
            var sum2 = sums.AsSpan(channels, channels);
            sum1.Clear();
            sum2.Clear();
            ref T data = ref MemoryMarshal.GetReference(blocks.Memory.Span);
            ref T shift = ref MemoryMarshal.GetReference(shifts);
            var cursor = blocks.CursorAt(firstRow);
            long checkStart = firstRow;
            for (long row = firstRow; row < endRow;)
            {
                long blockEnd = Math.Min(endRow, row + FoldLength);
                while (row < blockEnd)
                {
                    int stretch = (int)Math.Min(cursor.RemainingInInnermost, blockEnd - row);
                    RowBlockInMemory(
                        ref Unsafe.Add(ref data, (nint)cursor.Offset), (nint)cursor.InnermostStride, stretch, channels, ref shift,
                        ref MemoryMarshal.GetReference(partial1), ref MemoryMarshal.GetReference(partial2));
                    cursor.Advance(stretch);
                    row += stretch;
                }

                AddWidened(partial1, sum1);
                AddWidened(partial2, sum2);
                CheckRowSums(blocks, row, endRow, ref checkStart, sum1, sum2, slots);
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(buffer);
            ArrayPool<double>.Shared.Return(sums);
        }
    }

    /// <summary>
    /// The hot loop of <see cref="RowsInMemory"/> for rows <paramref name="stride"/> apart, kept out of the method with
    /// the try/finally so the JIT keeps its pointers in registers. One row at a time, in memory order: reading two
    /// rows per pass, or each row in register-sized segments, measured about 2× slower here.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowBlockInMemory<T>(ref T first, nint stride, int rows, int channels, ref T shift, ref T sums, ref T squares)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int width = Vector<T>.Count;
        int vectorEnd = channels - (channels % width);
        ref T x = ref first;
        for (int r = 0; r < rows; r++, x = ref Unsafe.Add(ref x, stride))
        {
            int j = 0;
            for (; j < vectorEnd; j += width)
            {
                var v = Vector.LoadUnsafe(ref x, (nuint)j) - Vector.LoadUnsafe(ref shift, (nuint)j);
                (Vector.LoadUnsafe(ref sums, (nuint)j) + v).StoreUnsafe(ref sums, (nuint)j);
                MultiplyAdd(v, v, Vector.LoadUnsafe(ref squares, (nuint)j)).StoreUnsafe(ref squares, (nuint)j);
            }

            for (; j < channels; j++)
            {
                T d = Unsafe.Add(ref x, j) - Unsafe.Add(ref shift, j);
                Unsafe.Add(ref sums, j) += d;
                Unsafe.Add(ref squares, j) = T.FusedMultiplyAdd(d, d, Unsafe.Add(ref squares, j));
            }
        }
    }

    /// <summary>
    /// Every <see cref="CheckRows"/> rows, and at the end of the chunk, hands the double sums to the channels'
    /// accumulators, recomputing a channel exactly over those rows where its sums would cancel.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CheckRowSums<T>(
        ChannelBlocks<T> blocks, long row, long endRow, ref long checkStart, Span<double> sum1, Span<double> sum2, Span<ChannelAccumulator> slots)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (row - checkStart < CheckRows && row < endRow)
        {
            return;
        }

        int rows = (int)(row - checkStart);
        for (int c = 0; c < sum1.Length; c++)
        {
            if (!slots[c].TryAddShifted(rows, sum1[c], sum2[c]))
            {
                var (mean, m2) = ExactColumn(blocks, checkStart, rows, c);
                slots[c].AddExact(rows, mean, m2);
            }
        }

        sum1.Clear();
        sum2.Clear();
        checkStart = row;
    }

    /// <summary><paramref name="sums"/> += <paramref name="partial"/> converted to double; then clears <paramref name="partial"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddWidened<T>(Span<T> partial, Span<double> sums)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref T p = ref MemoryMarshal.GetReference(partial);
            ref double s = ref MemoryMarshal.GetReference(sums);
            for (; j + Vector256<T>.Count <= partial.Length; j += Vector256<T>.Count)
            {
                AddWidened(Vector256.LoadUnsafe(ref p, (nuint)j), ref Unsafe.Add(ref s, j));
            }
        }

        for (; j < partial.Length; j++)
        {
            sums[j] += double.CreateTruncating(partial[j]);
        }

        partial.Clear();
    }

    /// <summary>
    /// Accumulates one contiguous run: element-type partial sums over at most
    /// <see cref="ShiftedSumsBackend.FoldLength"/> elements per lane, folded into double, handed to the accumulator
    /// (checked for cancellation) once per run or per <see cref="CheckRows"/> vectors.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AccumulateRun<T>(ReadOnlySpan<T> run, T shift, ref ChannelAccumulator slot)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int width = Vector<T>.Count;
        int step = 4 * width;
        int foldLength = FoldLength * step;
        int checkLength = CheckRows * width;
        ref T start = ref MemoryMarshal.GetReference(run);
        var k = new Vector<T>(shift);
        for (int checkStart = 0; checkStart < run.Length; checkStart += checkLength)
        {
            int checkEnd = Math.Min(run.Length, checkStart + checkLength);
            double s1 = 0;
            double s2 = 0;
            int i = checkStart;
            while (checkEnd - i >= step)
            {
                // Four independent accumulator pairs keep enough loads in flight to stream at the read floor.
                int foldEnd = i + Math.Min(foldLength, (checkEnd - i) / step * step);
                Vector<T> a1 = default, a2 = default, b1 = default, b2 = default;
                Vector<T> c1 = default, c2 = default, d1 = default, d2 = default;
                for (; i < foldEnd; i += step)
                {
                    var v = Vector.LoadUnsafe(ref start, (nuint)i) - k;
                    var w = Vector.LoadUnsafe(ref start, (nuint)(i + width)) - k;
                    var y = Vector.LoadUnsafe(ref start, (nuint)(i + (2 * width))) - k;
                    var z = Vector.LoadUnsafe(ref start, (nuint)(i + (3 * width))) - k;
                    a1 += v;
                    a2 = MultiplyAdd(v, v, a2);
                    b1 += w;
                    b2 = MultiplyAdd(w, w, b2);
                    c1 += y;
                    c2 = MultiplyAdd(y, y, c2);
                    d1 += z;
                    d2 = MultiplyAdd(z, z, d2);
                }

                // Combining the four chains pairwise in the element type adds two roundings to each lane's
                // FoldLength-term sum; one widening per quantity instead of four keeps short runs cheap.
                s1 += SumToDouble((a1 + b1) + (c1 + d1));
                s2 += SumToDouble((a2 + b2) + (c2 + d2));
            }

            for (; i + width <= checkEnd; i += width)
            {
                var v = Vector.LoadUnsafe(ref start, (nuint)i) - k;
                s1 += SumToDouble(v);
                s2 += SumToDouble(v * v);
            }

            for (; i < checkEnd; i++)
            {
                double d = double.CreateTruncating(Unsafe.Add(ref start, i) - shift);
                s1 += d;
                s2 += d * d;
            }

            if (!slot.TryAddShifted(checkEnd - checkStart, s1, s2))
            {
                var (mean, m2) = ExactMoments(run[checkStart..checkEnd]);
                slot.AddExact(checkEnd - checkStart, mean, m2);
            }
        }
    }

    /// <summary>A vector count known when the JIT compiles an instantiation.</summary>
    private interface IVectorCount
    {
        static abstract int Value { get; }
    }

    private readonly struct One : IVectorCount
    {
        public static int Value => 1;
    }

    private readonly struct Two : IVectorCount
    {
        public static int Value => 2;
    }

    private readonly struct Three : IVectorCount
    {
        public static int Value => 3;
    }

    private readonly struct Four : IVectorCount
    {
        public static int Value => 4;
    }

    private readonly struct Five : IVectorCount
    {
        public static int Value => 5;
    }

    private readonly struct Six : IVectorCount
    {
        public static int Value => 6;
    }

    private readonly struct Seven : IVectorCount
    {
        public static int Value => 7;
    }

    private readonly struct Eight : IVectorCount
    {
        public static int Value => 8;
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
