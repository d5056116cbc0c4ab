using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BnNative.Tensors;

namespace BnNative.Kernels;

/// <summary>
/// An element-wise operator with per-channel coefficients: output = f(a, b, k0…k4) where a and b are the inputs
/// (b only when <see cref="ReadsSecond"/>) and k0…k(<see cref="Coefficients"/>−1) the channel's coefficients. Written
/// once as vector and scalar functions; <see cref="ChannelMap"/> drives it over any layout.
/// </summary>
internal interface IChannelMap<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Number of per-channel coefficients read (1 to 5).</summary>
    static abstract int Coefficients { get; }

    /// <summary>True when the operator reads a second input.</summary>
    static abstract bool ReadsSecond { get; }

    /// <summary>
    /// True when a streamed pass (output of <see cref="VectorStore.StreamingThresholdBytes"/> or more) over rows wider
    /// than four vectors walks column groups with the coefficients in registers (<see cref="ChannelMap"/>'s
    /// <c>ColumnGroups</c>), false when it walks the rows in memory order with the coefficients loaded. Measured here
    /// with the bench alternating two builds (NHWC [256,256,14,14], rows [12544,1024] and [100352,128]): right after a
    /// sums pass over the same input, as in a training step, the column walk was the faster (NHWC training 0.99–1.07×
    /// the floor against 1.09–1.14× with the row walk, five runs each); as a pass on its own, as inference is, the row
    /// walk was (NHWC inference 1.01–1.05× against 1.19–1.34×). Why the order of the passes decides it was not found.
    /// </summary>
    static abstract bool StreamsInColumns { get; }

    /// <summary>The operator on vectors of width <typeparamref name="TWidth"/>.</summary>
    static abstract TVector Apply<TVector, TWidth>(TVector a, TVector b, TVector k0, TVector k1, TVector k2, TVector k3, TVector k4)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector, T>;

    /// <summary>The operator on one element (it must round exactly as the vector form does).</summary>
    static abstract T Apply(T a, T b, T k0, T k1, T k2, T k3, T k4);
}

/// <summary>
/// Drives an <see cref="IChannelMap{T}"/> over views of any layout: one vectorized loop per access pattern (a run of
/// one channel with broadcast coefficients, or a flat stretch of rows of channels with the coefficients' phase
/// wrapping per row), chunked by <see cref="ChunkPlan"/> and spread over <see cref="WorkerPool"/>. Large outputs are
/// written with streaming stores.
/// </summary>
internal static unsafe class ChannelMap
{
    /// <summary>
    /// output = TOp(a, b, coefficients) per element, channel axis <paramref name="axis"/>. <paramref name="b"/> is
    /// ignored unless the operator reads it. The output may be one of the inputs (same view): each element is read
    /// before it is written.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<T, TOp>(TensorView<T> a, TensorView<T>? b, TensorView<T> output, int axis, in CoefficientTable<T> coefficients, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelMap<T>
    {
        if (output.ElementCount == 0)
        {
            return;
        }

        var second = TOp.ReadsSecond ? b ?? throw new ArgumentNullException(nameof(b)) : a;
        int channels = a.Lengths[axis];
        if (axis == a.Rank - 1 && a.ElementCount / channels <= ChunkPlan.RowsPerChunk(channels, a.ElementCount / channels)
            && a.Shape.IsRowMajorContiguous && second.Shape.IsRowMajorContiguous && output.Shape.IsRowMajorContiguous)
        {
            // Contiguous rows of channels that make one chunk: exactly the one flat stretch the walker would hand to
            // Periodic, without the layout analysis, the plan and the dispatch (a [32, 64] call is mostly those).
            bool streams = VectorStore.ShouldStream(output.ElementCount * sizeof(T));
            fixed (T* pa = a.Memory.Span)
            fixed (T* pb = second.Memory.Span)
            fixed (T* po = output.Memory.Span)
            fixed (T* pk = coefficients.Values)
            {
                Periodic<T, TOp>(
                    pa + a.Shape.Offset, pb + second.Shape.Offset, po + output.Shape.Offset, output.ElementCount, channels, pk, coefficients.Stride,
                    streams);
            }

            VectorStore.Fence(streams);
            return;
        }

        ShapeSet shapes = default;
        shapes[0] = a.Shape;
        shapes[1] = second.Shape;
        shapes[2] = output.Shape;
        if (!ChannelLayout.TryCreate(shapes, axis, out var layout))
        {
            using var packed = new PackedViews<T>([a, second, output], lastIsOutput: true);
            Run<T, TOp>(packed.Views[0], packed.Views[1], packed.Views[2], axis, coefficients, threads);
            packed.CopyOutput();
            return;
        }

        bool streaming = VectorStore.ShouldStream(output.ElementCount * sizeof(T));
        fixed (T* pa = a.Memory.Span)
        fixed (T* pb = second.Memory.Span)
        fixed (T* po = output.Memory.Span)
        fixed (T* pk = coefficients.Values)
        {
            var job = new Job<T>
            {
                Layout = layout,
                Plan = ChunkPlan.For(layout),
                A = pa,
                B = pb,
                Output = po,
                K = pk,
                KStride = coefficients.Stride,
                Streaming = streaming,
            };
            WorkerPool.Run(&Chunk<T, TOp>, &job, job.Plan.Chunks, threads);
        }

        VectorStore.Fence(streaming);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Chunk<T, TOp>(void* state, int chunk)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelMap<T>
    {
        ref var job = ref Unsafe.AsRef<Job<T>>(state);
        ref readonly var layout = ref job.Layout;
        int channels = layout.Channels;
        long first = job.Plan.First(chunk);
        long end = job.Plan.End(chunk);
        if (job.Plan.Rows)
        {
            var cursor = new OuterCursor(layout, first);
            for (long row = first; row < end;)
            {
                int stretch = (int)Math.Min(cursor.RemainingInInnermost, end - row);
                T* a = job.A + cursor.Offset(0);
                T* b = job.B + cursor.Offset(1);
                T* o = job.Output + cursor.Offset(2);
                long sa = cursor.InnermostStride(0), sb = cursor.InnermostStride(1), so = cursor.InnermostStride(2);
                if (stretch == 1 || (sa == channels && sb == channels && so == channels))
                {
                    Periodic<T, TOp>(a, b, o, (long)stretch * channels, channels, job.K, job.KStride, job.Streaming);
                }
                else
                {
                    for (int r = 0; r < stretch; r++)
                    {
                        Periodic<T, TOp>(a + (r * sa), b + (r * sb), o + (r * so), channels, channels, job.K, job.KStride, job.Streaming);
                    }
                }

                cursor.Advance(stretch);
                row += stretch;
            }

            return;
        }

        int c = (int)(first % channels);
        var runs = new OuterCursor(layout, first / channels);
        long ca = layout.ChannelStride(0), cb = layout.ChannelStride(1), co = layout.ChannelStride(2);
        int inner = layout.Inner;

        // Where consecutive channels' runs follow each other in every view (NCHW and its permuted views), the runs of one
        // outer index are read as one stretch, so streamed stores stay whole, aligned lines across run boundaries.
        bool backToBack = inner >= Vector<T>.Count && ca == inner && cb == inner && co == inner;
        for (long pair = first; pair < end;)
        {
            int count = backToBack ? (int)Math.Min(channels - c, end - pair) : 1;
            // Runs of 16 floats or more (a vector straddles at most two of them) in 512-bit vectors where the
            // hardware has them: in cache, NCHW inference of [8,256,14,14] went from 1.36× to 1.05× a copy and
            // [32,32,7,7] from 3.1× to 1.55×; streamed, [256,256,14,14] from 1.03–1.04× to 0.99–1.01×.
            if (Vector512.IsHardwareAccelerated && inner >= Vector512<T>.Count)
            {
                Segments<T, TOp, Vector512<T>, Width512<T>>(
                    job.A + runs.Offset(0) + (c * ca), job.B + runs.Offset(1) + (c * cb), job.Output + runs.Offset(2) + (c * co),
                    (long)count * inner, inner, job.K + c, job.KStride, job.Streaming);
            }
            else
            {
                Segments<T, TOp, Vector<T>, WidthVector<T>>(
                    job.A + runs.Offset(0) + (c * ca), job.B + runs.Offset(1) + (c * cb), job.Output + runs.Offset(2) + (c * co),
                    (long)count * inner, inner, job.K + c, job.KStride, job.Streaming);
            }
            pair += count;
            c += count;
            if (c == channels)
            {
                c = 0;
                runs.Advance(1);
            }
        }
    }

    /// <summary>
    /// Runs of <paramref name="inner"/> elements of consecutive channels, back to back (<paramref name="length"/> a
    /// multiple of it; one run when <paramref name="length"/> = <paramref name="inner"/>): each channel's coefficients
    /// are broadcast once, and a vector of width <typeparamref name="TWidth"/> that straddles two runs is computed with
    /// both channels' coefficients and blended by lane (callers pass several runs only when inner ≥ that width, so no
    /// vector straddles three). Streamed stores start on the vector's alignment, after a few scalar elements.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Segments<T, TOp, TVector, TWidth>(T* a, T* b, T* o, long length, int inner, T* k, int kStride, bool streaming)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelMap<T>
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector, T>
    {
        int width = TWidth.Count;
        var run = new Coefficients<T, TOp, TVector, TWidth>(k, kStride);
        long left = inner;
        long i = 0;
        if (streaming)
        {
            for (; i < length && ((nuint)(o + i) % (nuint)(width * sizeof(T))) != 0; i++)
            {
                o[i] = run.Apply(a[i], TOp.ReadsSecond ? b[i] : T.Zero);
                if (--left == 0)
                {
                    run.Next();
                    left = inner;
                }
            }
        }

        for (; i + width <= length; i += width)
        {
            var va = TWidth.Load(a + i);
            var vb = TOp.ReadsSecond ? TWidth.Load(b + i) : default;
            TVector value;
            if (left > width)
            {
                value = run.Apply(va, vb);
                left -= width;
            }
            else
            {
                // Lanes below `left` finish this run; the rest start the next one.
                var current = run.Apply(va, vb);
                run.Next();
                value = TWidth.Blend(current, run.Apply(va, vb), (int)left);
                left += inner - width;
            }

            TWidth.Store(value, o + i, streaming);
        }

        for (; i < length; i++)
        {
            o[i] = run.Apply(a[i], TOp.ReadsSecond ? b[i] : T.Zero);
            if (--left == 0)
            {
                run.Next();
                left = inner;
            }
        }
    }

    /// <summary>One channel's coefficients broadcast to vectors of width <typeparamref name="TWidth"/>, stepping to the next channel on <see cref="Next"/>.</summary>
    private struct Coefficients<T, TOp, TVector, TWidth>
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelMap<T>
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector, T>
    {
        private readonly int _stride;
        private T* _k;
        private TVector _v0;
        private TVector _v1;
        private TVector _v2;
        private TVector _v3;
        private TVector _v4;

        public Coefficients(T* k, int stride)
        {
            _stride = stride;
            _k = k;
            Load();
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Next()
        {
            _k++;
            Load();
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly TVector Apply(TVector a, TVector b) => TOp.Apply<TVector, TWidth>(a, b, _v0, _v1, _v2, _v3, _v4);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly T Apply(T a, T b) => Scalar<T, TOp>(a, b, _k, _stride);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Load()
        {
            _v0 = TWidth.Broadcast(_k[0]);
            _v1 = TOp.Coefficients > 1 ? TWidth.Broadcast(_k[_stride]) : default;
            _v2 = TOp.Coefficients > 2 ? TWidth.Broadcast(_k[2 * _stride]) : default;
            _v3 = TOp.Coefficients > 3 ? TWidth.Broadcast(_k[3 * _stride]) : default;
            _v4 = TOp.Coefficients > 4 ? TWidth.Broadcast(_k[4 * _stride]) : default;
        }
    }

    /// <summary>
    /// A flat stretch of whole rows of <paramref name="channels"/> channels: element f belongs to channel f mod C, so
    /// the coefficients of a vector starting at phase p are the table's entries p … p + width − 1 (each row repeats its
    /// start after its end).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Periodic<T, TOp>(T* a, T* b, T* o, long length, int channels, T* k, int kStride, bool streaming)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelMap<T>
    {
        int width = Vector<T>.Count;
        int phase = 0;
        long i = 0;
        if (channels % width == 0)
        {
            // Streamed stores need their alignment; in cache, 512-bit loads of the input start on 64-byte lines (loads
            // across two lines cost more than such stores: [256, 256] inference ran 1.66× a copy with the input
            // unaligned and the output aligned, 1.35× the other way round, 1.28× with both aligned). So: a few scalar
            // elements first, then whole rows shifted by that phase (their coefficients read from the table at the same
            // offset; its rows repeat their start), then the partial row left, in vectors.
            // 512-bit vectors halve the instructions per byte in cache. Streamed (from memory), the row walk was slower
            // with them than with 256-bit non-temporal stores (NHWC [64,64,56,56] inference 1.5× against 1.2× the
            // floor), but the column walk, with its coefficients in registers, was faster (StreamBandBytes).
            bool wide = Vector512.IsHardwareAccelerated && channels % Vector512<T>.Count == 0
                && (!streaming || TOp.Coefficients <= 4);
            int align = wide ? Vector512<byte>.Count : VectorStore.VectorBytes;
            T* aligned = streaming ? o : a;
            long head = streaming || wide ? Math.Min(length, (long)(((nuint)align - ((nuint)aligned % (nuint)align)) % (nuint)align) / sizeof(T)) : 0;
            for (; i < head; i++, phase++)
            {
                o[i] = Scalar<T, TOp>(a[i], TOp.ReadsSecond ? b[i] : T.Zero, k + phase, kStride);
            }

            long rows = (length - head) / channels;
            if ((wide || streaming) && rows >= MinRowsForAlignedTable && !ColumnWalk<T, TOp>(rows, channels, streaming)
                && TOp.Coefficients * channels * sizeof(T) <= MaxAlignedTableBytes)
            {
                WholeRowsAligned<T, TOp>(a + head, b + head, o + head, rows, channels, k + head, kStride, streaming, wide);
            }
            else
            {
                WholeRows<T, TOp>(a + head, b + head, o + head, rows, channels, k + head, kStride, streaming, wide);
            }

            i = head + (rows * channels);

            // What is left is the end of one row from phase `head`: its vectors' coefficients need no wrap.
            long end = wide
                ? VectorsFrom<T, TOp, Vector512<T>, Width512<T>>(a, b, o, i, length, k + phase, kStride, streaming)
                : VectorsFrom<T, TOp, Vector<T>, WidthVector<T>>(a, b, o, i, length, k + phase, kStride, streaming);
            phase += (int)(end - i);
            i = end;
        }
        else if (streaming)
        {
            for (; i < length && ((nuint)(o + i) % (nuint)VectorStore.VectorBytes) != 0; i++)
            {
                o[i] = Scalar<T, TOp>(a[i], TOp.ReadsSecond ? b[i] : T.Zero, k + phase, kStride);
                if (++phase == channels)
                {
                    phase = 0;
                }
            }
        }

        int step = width % channels;
        for (; channels % width != 0 && i + width <= length; i += width)
        {
            WidthVector<T>.Store(Vectors<T, TOp, Vector<T>, WidthVector<T>>(a + i, b + i, k + phase, kStride), o + i, streaming);
            phase += step;
            if (phase >= channels)
            {
                phase -= channels;
            }
        }

        for (; i < length; i++)
        {
            o[i] = Scalar<T, TOp>(a[i], TOp.ReadsSecond ? b[i] : T.Zero, k + phase, kStride);
            if (++phase == channels)
            {
                phase = 0;
            }
        }
    }

    /// <summary>
    /// <see cref="WholeRows"/> with the coefficients read from a copy on the stack, on a 64-byte line, for the row walks
    /// (512-bit in cache, and the streamed one): the row walk loads more coefficients than data (three vectors to one
    /// for normalize), and loads across two lines made [1024, 512] inference 1.9× a copy here, against 1.05× from the
    /// copy (streamed NHWC training about 5% faster). The copy's rows sit halfway between the output rows' low address
    /// bits, so its loads never wait on pending stores to them (<see cref="PageAliasing.AwayFromRows"/>).
    /// </summary>
    [SkipLocalsInit] // the buffer is written before it is read
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void WholeRowsAligned<T, TOp>(T* a, T* b, T* o, long rows, int channels, T* k, int kStride, bool streaming, bool wide)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelMap<T>
    {
        int tableBytes = TOp.Coefficients * channels * sizeof(T);
        byte* buffer = stackalloc byte[tableBytes + PageAliasing.PageBytes + Vector512<byte>.Count];
        T* aligned = PageAliasing.AwayFromRows<T>((T*)buffer, o, (long)channels * sizeof(T), Vector512<byte>.Count);
        for (int j = 0; j < TOp.Coefficients; j++)
        {
            new ReadOnlySpan<T>(k + (j * kStride), channels).CopyTo(new Span<T>(aligned + (j * channels), channels));
        }

        WholeRows<T, TOp>(a, b, o, rows, channels, aligned, channels, streaming, wide);
    }

    /// <summary>
    /// Whole rows whose channel count is a multiple of the vector width, from a start aligned for streamed stores:
    /// every row's vectors read the coefficients at the same offsets, with no phase bookkeeping; with AVX-512
    /// (<paramref name="wide"/>), in 512-bit vectors (half the instructions per byte). In cache that runs at 1.3–1.9×
    /// the phase loop's speed (measured here). Its own method, so the loop keeps its pointers in registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void WholeRows<T, TOp>(T* a, T* b, T* o, long rows, int channels, T* k, int kStride, bool streaming, bool wide)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelMap<T>
    {
        if (wide && ColumnWalk<T, TOp>(rows, channels, streaming))
        {
            // Rows of one group are read in memory order already: in cache, bands only for wider rows.
            long band = streaming ? Math.Max(1, StreamBandBytes / (channels * sizeof(T)))
                : channels > 4 * Vector512<T>.Count && rows * channels * sizeof(T) > ColumnBandBytes ? ColumnBandRows : rows;
            ColumnGroups<T, TOp, Vector512<T>, Width512<T>>(a, b, o, rows, channels, k, kStride, band, streaming);
        }
        else if (wide && streaming)
        {
            RowWalk<T, TOp, Vector512<T>, Width512<T>, StreamedStores>(a, b, o, rows, channels, k, kStride);
        }
        else if (wide && HoldsCoefficients<T, TOp>(rows, channels))
        {
            HeldRowWalk<T, TOp>(a, b, o, rows, channels, k, kStride);
        }
        else if (wide)
        {
            RowWalk<T, TOp, Vector512<T>, Width512<T>, CachedStores>(a, b, o, rows, channels, k, kStride);
        }
        else if (streaming)
        {
            RowWalk<T, TOp, Vector<T>, WidthVector<T>, StreamedStores>(a, b, o, rows, channels, k, kStride);
        }
        else
        {
            RowWalk<T, TOp, Vector<T>, WidthVector<T>, CachedStores>(a, b, o, rows, channels, k, kStride);
        }
    }

    /// <summary>
    /// The row walk of <see cref="WholeRows"/> at width <typeparamref name="TWidth"/>. In cache it runs from the end
    /// when the output trails an input by less than half a page (<see cref="PageAliasing.Trails"/>): a load then never
    /// meets a pending store to its low address bits. The coefficient rows' pointers are taken once, and c runs down
    /// past zero as an unsigned wrap, so the loop body is the operator's loads, arithmetic and store, with one index
    /// ([256, 256] inference 20% faster than with the rows' offsets and a second counter recomputed per vector).
    /// The store kind is a type (<typeparamref name="TStores"/>) and the walk a method of its own: inlined into
    /// <see cref="WholeRows"/> with the kind a variable, the JIT kept that flag in a stack slot and stored, reloaded and
    /// tested it once per vector, and with the kind a constant there, it spilled the row pointers instead.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void RowWalk<T, TOp, TVector, TWidth, TStores>(T* a, T* b, T* o, long rows, int channels, T* k, int kStride)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelMap<T>
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector, T>
        where TStores : struct, IStoreKind
    {
        int w = TWidth.Count;
        bool streaming = TStores.Streaming;
        bool descending = !streaming && (PageAliasing.Trails(a, o) || (TOp.ReadsSecond && PageAliasing.Trails(b, o)));
        long rowStep = descending ? -channels : channels;
        int first = descending ? channels - w : 0;
        int step = descending ? -w : w;
        if (descending)
        {
            long last = (rows - 1) * channels;
            a += last;
            b += last;
            o += last;
        }

        T* k1 = k + kStride;
        T* k2 = k + (2 * kStride);
        T* k3 = k + (3 * kStride);
        T* k4 = k + (4 * kStride);
        for (long r = 0; r < rows; r++, a += rowStep, b += rowStep, o += rowStep)
        {
            for (int c = first; (uint)c < (uint)channels; c += step)
            {
                var value = TOp.Apply<TVector, TWidth>(
                    TWidth.Load(a + c),
                    TOp.ReadsSecond ? TWidth.Load(b + c) : default,
                    TWidth.Load(k + c),
                    TOp.Coefficients > 1 ? TWidth.Load(k1 + c) : default,
                    TOp.Coefficients > 2 ? TWidth.Load(k2 + c) : default,
                    TOp.Coefficients > 3 ? TWidth.Load(k3 + c) : default,
                    TOp.Coefficients > 4 ? TWidth.Load(k4 + c) : default);
                TWidth.Store(value, o + c, streaming);
            }
        }
    }

    /// <summary>
    /// True when <see cref="WholeRows"/> at 512 bits in cache takes <see cref="HeldRowWalk"/>: one-input operators of
    /// at most three coefficients over rows of five to eight vectors (C of 80 to 128 floats), and over rows of nine to
    /// sixteen vectors (C of 144 to 256 floats) up to <see cref="HeldTailBytes"/> per view; two-input operators (the
    /// training backward) over rows of more than six vectors up to <see cref="PairInCacheBytes"/> per view. Narrower
    /// rows take the column walk (<see cref="ColumnWalk"/>), which holds all of their coefficients.
    /// </summary>
    private static bool HoldsCoefficients<T, TOp>(long rows, int channels)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelMap<T> =>
        TOp.Coefficients <= 4
        && channels > 4 * Vector512<T>.Count
        && (TOp.ReadsSecond
            ? rows * channels * sizeof(T) <= PairInCacheBytes
            : (TOp.Coefficients <= 3
                && (channels <= HeldVectors * Vector512<T>.Count
                    || (channels <= 2 * HeldVectors * Vector512<T>.Count && rows * channels * sizeof(T) <= HeldTailBytes))));

    /// <summary>Most vectors per row whose coefficients <see cref="HeldRowWalk"/> holds in registers (3 × 8 of the 32).</summary>
    private const int HeldVectors = 8;

    /// <summary>Most vectors per row whose coefficients <see cref="HeldRowWalk"/> holds for operators of four coefficients (4 × 6 of the 32).</summary>
    private const int HeldPairVectors = 6;

    /// <summary>
    /// Largest view (bytes) whose rows of nine to sixteen vectors take <see cref="HeldRowWalk"/>, the vectors past
    /// the eighth loading their coefficients: in L2 ([256, 256], [512, 256], [256, 192]: inference 0.77–0.91 of its
    /// time, paired builds, both orders) the coefficient loads set the row walk's speed; at 1 MB per view and beyond
    /// ([1024, 256], [4096, 256], [2048, 240]) it measured the same as the row walk, and rows of 32 or 64 vectors
    /// ([1024, 512], [128, 1024]) 2–6% slower, so those keep it.
    /// </summary>
    private const long HeldTailBytes = 512L << 10;

    /// <summary>
    /// The row walk (<see cref="RowWalk"/>, ordinary stores, 512 bits) with the coefficients of each row's first
    /// eight vectors held in registers (six for the input gradient's four coefficients), the rest loaded as the row
    /// walk does. The row walk loads three coefficient vectors per data vector for normalize and four for the input
    /// gradient, and this machine loads one 512-bit vector per cycle, so in cache those loads set its speed: holding
    /// them made [512, 128] inference 0.80–0.91 of its time and training 0.93–0.97, [256, 256] inference 0.77–0.80
    /// and training 0.84–0.91, and the backward pass of [512, 128] 0.83–0.89 of the plain row walk's (paired builds,
    /// both orders). As there, rows run from the end when the output trails an input by less than half a page
    /// (<see cref="PageAliasing.Trails"/>), each row from its last vector.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void HeldRowWalk<T, TOp>(T* a, T* b, T* o, long rows, int channels, T* k, int kStride)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelMap<T>
    {
        int w = Vector512<T>.Count;
        int vectors = channels / w;
        int held = HeldVectorsOf<T, TOp>();
        bool descending = PageAliasing.Trails(a, o) || (TOp.ReadsSecond && PageAliasing.Trails(b, o));
        long rowStep = descending ? -channels : channels;
        if (descending)
        {
            long last = (rows - 1) * channels;
            a += last;
            b += last;
            o += last;
        }

        T* k1 = k + kStride;
        T* k2 = k + (2 * kStride);
        T* k3 = k + (3 * kStride);
        var (f0, g0, h0, j0) = HeldCoefficients<T, TOp>(true, k, k1, k2, k3);
        var (f1, g1, h1, j1) = HeldCoefficients<T, TOp>(true, k + w, k1 + w, k2 + w, k3 + w);
        var (f2, g2, h2, j2) = HeldCoefficients<T, TOp>(true, k + (2 * w), k1 + (2 * w), k2 + (2 * w), k3 + (2 * w));
        var (f3, g3, h3, j3) = HeldCoefficients<T, TOp>(true, k + (3 * w), k1 + (3 * w), k2 + (3 * w), k3 + (3 * w));
        var (f4, g4, h4, j4) = HeldCoefficients<T, TOp>(true, k + (4 * w), k1 + (4 * w), k2 + (4 * w), k3 + (4 * w));
        var (f5, g5, h5, j5) = HeldCoefficients<T, TOp>(vectors > 5, k + (5 * w), k1 + (5 * w), k2 + (5 * w), k3 + (5 * w));
        var (f6, g6, h6, j6) = HeldCoefficients<T, TOp>(vectors > 6 && held > 6, k + (6 * w), k1 + (6 * w), k2 + (6 * w), k3 + (6 * w));
        var (f7, g7, h7, j7) = HeldCoefficients<T, TOp>(vectors > 7 && held > 7, k + (7 * w), k1 + (7 * w), k2 + (7 * w), k3 + (7 * w));
        for (long r = 0; r < rows; r++, a += rowStep, b += rowStep, o += rowStep)
        {
            if (descending)
            {
                for (int c = channels - w; c >= HeldVectorsOf<T, TOp>() * w; c -= w)
                {
                    LoadedVector<T, TOp>(a + c, b + c, o + c, k + c, k1 + c, k2 + c, k3 + c);
                }

                HeldVector<T, TOp>(vectors > 7 && held > 7, a + (7 * w), b + (7 * w), o + (7 * w), f7, g7, h7, j7);
                HeldVector<T, TOp>(vectors > 6 && held > 6, a + (6 * w), b + (6 * w), o + (6 * w), f6, g6, h6, j6);
                HeldVector<T, TOp>(vectors > 5, a + (5 * w), b + (5 * w), o + (5 * w), f5, g5, h5, j5);
                HeldVector<T, TOp>(true, a + (4 * w), b + (4 * w), o + (4 * w), f4, g4, h4, j4);
                HeldVector<T, TOp>(true, a + (3 * w), b + (3 * w), o + (3 * w), f3, g3, h3, j3);
                HeldVector<T, TOp>(true, a + (2 * w), b + (2 * w), o + (2 * w), f2, g2, h2, j2);
                HeldVector<T, TOp>(true, a + w, b + w, o + w, f1, g1, h1, j1);
                HeldVector<T, TOp>(true, a, b, o, f0, g0, h0, j0);
            }
            else
            {
                HeldVector<T, TOp>(true, a, b, o, f0, g0, h0, j0);
                HeldVector<T, TOp>(true, a + w, b + w, o + w, f1, g1, h1, j1);
                HeldVector<T, TOp>(true, a + (2 * w), b + (2 * w), o + (2 * w), f2, g2, h2, j2);
                HeldVector<T, TOp>(true, a + (3 * w), b + (3 * w), o + (3 * w), f3, g3, h3, j3);
                HeldVector<T, TOp>(true, a + (4 * w), b + (4 * w), o + (4 * w), f4, g4, h4, j4);
                HeldVector<T, TOp>(vectors > 5, a + (5 * w), b + (5 * w), o + (5 * w), f5, g5, h5, j5);
                HeldVector<T, TOp>(vectors > 6 && held > 6, a + (6 * w), b + (6 * w), o + (6 * w), f6, g6, h6, j6);
                HeldVector<T, TOp>(vectors > 7 && held > 7, a + (7 * w), b + (7 * w), o + (7 * w), f7, g7, h7, j7);
                for (int c = HeldVectorsOf<T, TOp>() * w; c < channels; c += w)
                {
                    LoadedVector<T, TOp>(a + c, b + c, o + c, k + c, k1 + c, k2 + c, k3 + c);
                }
            }
        }
    }

    /// <summary>
    /// Vectors per row whose coefficients <see cref="HeldRowWalk"/> holds: eight for operators of up to three
    /// coefficients (24 of the 32 registers), six for four (the input gradient).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int HeldVectorsOf<T, TOp>()
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelMap<T> =>
        TOp.Coefficients > 3 ? HeldPairVectors : HeldVectors;

    /// <summary>The (up to four) coefficient vectors of one held vector of <see cref="HeldRowWalk"/>, if the rows have it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<T> K0, Vector512<T> K1, Vector512<T> K2, Vector512<T> K3) HeldCoefficients<T, TOp>(
        bool present, T* k0, T* k1, T* k2, T* k3)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelMap<T> =>
        present
            ? (Vector512.Load(k0),
                TOp.Coefficients > 1 ? Vector512.Load(k1) : default,
                TOp.Coefficients > 2 ? Vector512.Load(k2) : default,
                TOp.Coefficients > 3 ? Vector512.Load(k3) : default)
            : default;

    /// <summary>One held vector of <see cref="HeldRowWalk"/>, if the rows have it: loaded, the operator applied, stored.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void HeldVector<T, TOp>(
        bool present, T* a, T* b, T* o, Vector512<T> k0, Vector512<T> k1, Vector512<T> k2, Vector512<T> k3)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelMap<T>
    {
        if (present)
        {
            TOp.Apply<Vector512<T>, Width512<T>>(
                Vector512.Load(a), TOp.ReadsSecond ? Vector512.Load(b) : default, k0, k1, k2, k3, default).Store(o);
        }
    }

    /// <summary>One vector of <see cref="HeldRowWalk"/> past the held ones: loaded with its coefficients, the operator applied, stored.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LoadedVector<T, TOp>(T* a, T* b, T* o, T* k0, T* k1, T* k2, T* k3)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelMap<T> =>
        TOp.Apply<Vector512<T>, Width512<T>>(
            Vector512.Load(a),
            TOp.ReadsSecond ? Vector512.Load(b) : default,
            Vector512.Load(k0),
            TOp.Coefficients > 1 ? Vector512.Load(k1) : default,
            TOp.Coefficients > 2 ? Vector512.Load(k2) : default,
            TOp.Coefficients > 3 ? Vector512.Load(k3) : default,
            default).Store(o);

    /// <summary>
    /// True when <see cref="WholeRows"/> in 512-bit vectors walks down column groups (<see cref="ColumnGroups"/>), which
    /// needs at most four coefficients: rows of at most one group (C ≤ 64 for float), where that is the row walk with
    /// the coefficients in registers; streamed outputs (in bands of <see cref="StreamBandBytes"/>); and two-input
    /// operators in cache over rows of at most six vectors. One-input operators over wider rows in cache take the row
    /// walk, which with aligned loads and stores ran at 1.2× a copy here against 2× for the column walk ([256, 256]
    /// inference); two-input ones over rows of more than six vectors the held row walk (<see cref="HeldRowWalk"/>):
    /// against the column walk, the backward pass of [256, 256] took 0.76–0.78 of its time, [128, 1024] 0.84, [512,
    /// 128] 0.88–1.0 and [1024, 512] the same (paired builds, both orders), while [512, 96] was 2–4% slower.
    /// </summary>
    private static bool ColumnWalk<T, TOp>(long rows, int channels, bool streaming)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelMap<T> =>
        TOp.Coefficients <= 4
        && ((streaming && TOp.StreamsInColumns)
            || channels <= 4 * Vector512<T>.Count
            || (TOp.ReadsSecond && channels <= HeldPairVectors * Vector512<T>.Count && rows * channels * sizeof(T) <= PairInCacheBytes));

    /// <summary>
    /// Bytes of one view per band of a streamed column walk: each group of 64 channels walks down this many bytes of
    /// rows, its coefficients in registers, before the next group. Against the row walk (three or four coefficient loads
    /// per vector, 256-bit non-temporal stores), NHWC [64,64,56,56] inference went from about 1.15× to 0.9–0.97× the
    /// floor (one group per row), [256,256,14,14] from about 1.1–1.2× to 0.95–1.05× (1 thread; bands of 16–128 rows
    /// measured alike, 4–8 rows worse), and [12544, 1024] rows from 1.1× to 1.0×; bands of 32 KB were slower for wide rows.
    /// </summary>
    private const long StreamBandBytes = 128L << 10;

    /// <summary>
    /// Fewest rows for which <see cref="Periodic"/> copies the coefficients to a place of its choosing (even when the
    /// table is aligned already: where it lies against the output in the low address bits matters as much).
    /// </summary>
    private const int MinRowsForAlignedTable = 4;

    /// <summary>Largest coefficient table (bytes, every coefficient of one row of channels) that <see cref="Periodic"/> copies to an aligned place on the stack.</summary>
    private const int MaxAlignedTableBytes = 16 << 10;

    /// <summary>
    /// Largest stretch (bytes per view) of a two-input pass (the training backward) that <see cref="WholeRows"/> walks
    /// as in cache with coefficients in registers: rows of up to six vectors down their columns
    /// (<see cref="ColumnWalk"/>), wider rows with six vectors' coefficients held (<see cref="HeldRowWalk"/>). Larger
    /// stretches take the row walk, every coefficient loaded.
    /// </summary>
    private const long PairInCacheBytes = 8L << 20;

    /// <summary>
    /// Rows per band of <see cref="ColumnGroups"/> when a view's stretch is larger than <see cref="ColumnBandBytes"/>.
    /// </summary>
    private const int ColumnBandRows = 4;

    /// <summary>
    /// Largest stretch (bytes per view) that <see cref="ColumnGroups"/> walks down whole columns; larger ones (which
    /// come from L3 rather than L2 here) go band by band (<see cref="ColumnBandRows"/>).
    /// </summary>
    private const long ColumnBandBytes = 256L << 10;

    /// <summary>
    /// Whole rows in groups of four vectors of channels (width <typeparamref name="TWidth"/>) walked down the rows with
    /// their coefficients in registers, <paramref name="band"/> rows at a time: all groups of a band before the next
    /// (<see cref="ColumnWalk"/> says when, <see cref="WholeRows"/> picks the band). For rows of at most one group this
    /// is the row walk without coefficient loads; for two-input passes in cache over rows of up to six vectors it loads
    /// two vectors per output vector where the row walk loads six. For wider rows in cache the row walks with aligned
    /// coefficients (<see cref="WholeRowsAligned"/>) were faster: one-input at 1.2–1.3× a copy here against about 2×
    /// for this walk, two-input with six vectors' coefficients held (<see cref="HeldRowWalk"/>) up to 0.76 of this
    /// walk's time. In cache, stretches beyond <see cref="ColumnBandBytes"/> per view go in bands of
    /// <see cref="ColumnBandRows"/> rows, which keeps the reads close to memory order at the cost of a coefficient load
    /// per band and group (the [1024, 512] backward pass, 2 MB per view, went from about 1.33× to 1.26× its floor when it
    /// took this walk; [256, 256], in L2, measured 1.45× in bands against 1.29× whole); streamed outputs go in bands of
    /// <see cref="StreamBandBytes"/> with non-temporal stores.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void ColumnGroups<T, TOp, TVector, TWidth>(T* a, T* b, T* o, long rows, int channels, T* k, int kStride, long band, bool streaming)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelMap<T>
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector, T>
    {
        for (long first = 0; first < rows; first += band)
        {
            ColumnBand<T, TOp, TVector, TWidth>(
                a + (first * channels), b + (first * channels), o + (first * channels), Math.Min(band, rows - first), channels, k, kStride, streaming);
        }
    }

    /// <summary><see cref="ColumnGroups"/> over one band of <paramref name="rows"/> rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ColumnBand<T, TOp, TVector, TWidth>(T* a, T* b, T* o, long rows, int channels, T* k, int kStride, bool streaming)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelMap<T>
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector, T>
    {
        int w = TWidth.Count;
        for (int group = 0; group < channels; group += 4 * w)
        {
            int vectors = Math.Min(4, (channels - group) / w);
            T* kg = k + group;
            if (vectors == 4 && !streaming)
            {
                // In cache, a loop with no test per vector ([32, 64] inference 12% faster). Streamed, the loop below
                // (each vector loaded, computed and stored in turn) measured about 10% faster: NHWC [64,64,56,56]
                // inference 0.92× against 1.02× the floor, four alternated runs each.
                FourColumns<T, TOp, TVector, TWidth>(a + group, b + group, o + group, rows, channels, kg, kStride);
                continue;
            }

            var (h0, s0, q0, r0) = GroupCoefficients<T, TOp, TVector, TWidth>(kg, kStride);
            var (h1, s1, q1, r1) = vectors > 1 ? GroupCoefficients<T, TOp, TVector, TWidth>(kg + w, kStride) : default;
            var (h2, s2, q2, r2) = vectors > 2 ? GroupCoefficients<T, TOp, TVector, TWidth>(kg + (2 * w), kStride) : default;
            var (h3, s3, q3, r3) = vectors > 3 ? GroupCoefficients<T, TOp, TVector, TWidth>(kg + (3 * w), kStride) : default;
            T* ar = a + group;
            T* br = b + group;
            T* or = o + group;
            for (long r = 0; r < rows; r++, ar += channels, br += channels, or += channels)
            {
                ApplyInRegisters<T, TOp, TVector, TWidth>(ar, br, or, h0, s0, q0, r0, streaming);
                if (vectors > 1)
                {
                    ApplyInRegisters<T, TOp, TVector, TWidth>(ar + w, br + w, or + w, h1, s1, q1, r1, streaming);
                }

                if (vectors > 2)
                {
                    ApplyInRegisters<T, TOp, TVector, TWidth>(ar + (2 * w), br + (2 * w), or + (2 * w), h2, s2, q2, r2, streaming);
                }

                if (vectors > 3)
                {
                    ApplyInRegisters<T, TOp, TVector, TWidth>(ar + (3 * w), br + (3 * w), or + (3 * w), h3, s3, q3, r3, streaming);
                }
            }
        }
    }

    /// <summary>Four vectors of columns down <paramref name="rows"/> rows in cache, their coefficients in registers (no branch in the loop).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FourColumns<T, TOp, TVector, TWidth>(T* a, T* b, T* o, long rows, int channels, T* k, int kStride)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelMap<T>
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector, T>
    {
        int w = TWidth.Count;
        var (h0, s0, q0, r0) = GroupCoefficients<T, TOp, TVector, TWidth>(k, kStride);
        var (h1, s1, q1, r1) = GroupCoefficients<T, TOp, TVector, TWidth>(k + w, kStride);
        var (h2, s2, q2, r2) = GroupCoefficients<T, TOp, TVector, TWidth>(k + (2 * w), kStride);
        var (h3, s3, q3, r3) = GroupCoefficients<T, TOp, TVector, TWidth>(k + (3 * w), kStride);
        for (long r = 0; r < rows; r++, a += channels, b += channels, o += channels)
        {
            var y0 = TOp.Apply<TVector, TWidth>(TWidth.Load(a), TOp.ReadsSecond ? TWidth.Load(b) : default, h0, s0, q0, r0, default);
            var y1 = TOp.Apply<TVector, TWidth>(TWidth.Load(a + w), TOp.ReadsSecond ? TWidth.Load(b + w) : default, h1, s1, q1, r1, default);
            var y2 = TOp.Apply<TVector, TWidth>(TWidth.Load(a + (2 * w)), TOp.ReadsSecond ? TWidth.Load(b + (2 * w)) : default, h2, s2, q2, r2, default);
            var y3 = TOp.Apply<TVector, TWidth>(TWidth.Load(a + (3 * w)), TOp.ReadsSecond ? TWidth.Load(b + (3 * w)) : default, h3, s3, q3, r3, default);
            TWidth.Store(y0, o);
            TWidth.Store(y1, o + w);
            TWidth.Store(y2, o + (2 * w));
            TWidth.Store(y3, o + (3 * w));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (TVector, TVector, TVector, TVector) GroupCoefficients<T, TOp, TVector, TWidth>(T* k, int kStride)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelMap<T>
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector, T> =>
        (TWidth.Load(k),
            TOp.Coefficients > 1 ? TWidth.Load(k + kStride) : default,
            TOp.Coefficients > 2 ? TWidth.Load(k + (2 * kStride)) : default,
            TOp.Coefficients > 3 ? TWidth.Load(k + (3 * kStride)) : default);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ApplyInRegisters<T, TOp, TVector, TWidth>(T* a, T* b, T* o, TVector k0, TVector k1, TVector k2, TVector k3, bool streaming)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelMap<T>
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector, T> =>
        TWidth.Store(TOp.Apply<TVector, TWidth>(TWidth.Load(a), TOp.ReadsSecond ? TWidth.Load(b) : default, k0, k1, k2, k3, default), o, streaming);

    /// <summary>The operator at width <typeparamref name="TWidth"/> on the vector at <paramref name="a"/> (and <paramref name="b"/>) with the coefficients at <paramref name="k"/> onward.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Vectors<T, TOp, TVector, TWidth>(T* a, T* b, T* k, int kStride)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelMap<T>
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector, T> =>
        TOp.Apply<TVector, TWidth>(
            TWidth.Load(a),
            TOp.ReadsSecond ? TWidth.Load(b) : default,
            TWidth.Load(k),
            TOp.Coefficients > 1 ? TWidth.Load(k + kStride) : default,
            TOp.Coefficients > 2 ? TWidth.Load(k + (2 * kStride)) : default,
            TOp.Coefficients > 3 ? TWidth.Load(k + (3 * kStride)) : default,
            TOp.Coefficients > 4 ? TWidth.Load(k + (4 * kStride)) : default);

    /// <summary>
    /// The vectors of width <typeparamref name="TWidth"/> from <paramref name="start"/> that fit before
    /// <paramref name="length"/>, element i's coefficients at phase + (i − start) (no wrap); returns where they end.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long VectorsFrom<T, TOp, TVector, TWidth>(T* a, T* b, T* o, long start, long length, T* k, int kStride, bool streaming)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelMap<T>
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector, T>
    {
        long i = start;
        for (; i + TWidth.Count <= length; i += TWidth.Count)
        {
            TWidth.Store(Vectors<T, TOp, TVector, TWidth>(a + i, b + i, k + (i - start), kStride), o + i, streaming);
        }

        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Scalar<T, TOp>(T a, T b, T* k, int kStride)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelMap<T> =>
        TOp.Apply(
            a, b, k[0],
            TOp.Coefficients > 1 ? k[kStride] : T.Zero,
            TOp.Coefficients > 2 ? k[2 * kStride] : T.Zero,
            TOp.Coefficients > 3 ? k[3 * kStride] : T.Zero,
            TOp.Coefficients > 4 ? k[4 * kStride] : T.Zero);

    private struct Job<T>
        where T : unmanaged
    {
        public ChannelLayout Layout;
        public ChunkPlan Plan;
        public T* A;
        public T* B;
        public T* Output;
        public T* K;
        public int KStride;
        public bool Streaming;
    }
}

/// <summary>Up to three shapes on the stack, for <see cref="ChannelLayout.TryCreate"/>.</summary>
[InlineArray(ChannelLayout.MaxViews)]
internal struct ShapeSet
{
    private TensorShape _element;
}
