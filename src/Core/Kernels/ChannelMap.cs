using System.Numerics;
using System.Runtime.CompilerServices;
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

    /// <summary>The operator on vectors.</summary>
    static abstract Vector<T> Apply(Vector<T> a, Vector<T> b, Vector<T> k0, Vector<T> k1, Vector<T> k2, Vector<T> k3, Vector<T> k4);

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
        for (long pair = first; pair < end; pair++)
        {
            Broadcast<T, TOp>(
                job.A + runs.Offset(0) + (c * ca), job.B + runs.Offset(1) + (c * cb), job.Output + runs.Offset(2) + (c * co),
                layout.Inner, job.K + c, job.KStride, job.Streaming);
            if (++c == channels)
            {
                c = 0;
                runs.Advance(1);
            }
        }
    }

    /// <summary>A contiguous run of one channel: the coefficients broadcast once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Broadcast<T, TOp>(T* a, T* b, T* o, int length, T* k, int kStride, bool streaming)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelMap<T>
    {
        T k0 = k[0];
        T k1 = TOp.Coefficients > 1 ? k[kStride] : T.Zero;
        T k2 = TOp.Coefficients > 2 ? k[2 * kStride] : T.Zero;
        T k3 = TOp.Coefficients > 3 ? k[3 * kStride] : T.Zero;
        T k4 = TOp.Coefficients > 4 ? k[4 * kStride] : T.Zero;
        int width = Vector<T>.Count;
        int i = 0;
        if (streaming)
        {
            for (; i < length && ((nuint)(o + i) % (nuint)VectorStore.VectorBytes) != 0; i++)
            {
                o[i] = TOp.Apply(a[i], TOp.ReadsSecond ? b[i] : T.Zero, k0, k1, k2, k3, k4);
            }
        }

        var v0 = new Vector<T>(k0);
        var v1 = new Vector<T>(k1);
        var v2 = new Vector<T>(k2);
        var v3 = new Vector<T>(k3);
        var v4 = new Vector<T>(k4);
        for (; i + width <= length; i += width)
        {
            var vb = TOp.ReadsSecond ? Vector.Load(b + i) : default;
            VectorStore.Store(TOp.Apply(Vector.Load(a + i), vb, v0, v1, v2, v3, v4), o + i, streaming);
        }

        for (; i < length; i++)
        {
            o[i] = TOp.Apply(a[i], TOp.ReadsSecond ? b[i] : T.Zero, k0, k1, k2, k3, k4);
        }
    }

    /// <summary>
    /// A flat stretch of whole rows of <paramref name="channels"/> channels: element f belongs to channel f mod C, so
    /// the coefficients of a vector starting at phase p are the table's entries p … p + width − 1 (each row repeats its
    /// start after its end).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Periodic<T, TOp>(T* a, T* b, T* o, long length, int channels, T* k, int kStride, bool streaming)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelMap<T>
    {
        int width = Vector<T>.Count;
        int step = width % channels;
        int phase = 0;
        long i = 0;
        if (streaming)
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

        for (; i + width <= length; i += width)
        {
            T* kp = k + phase;
            var v1 = TOp.Coefficients > 1 ? Vector.Load(kp + kStride) : default;
            var v2 = TOp.Coefficients > 2 ? Vector.Load(kp + (2 * kStride)) : default;
            var v3 = TOp.Coefficients > 3 ? Vector.Load(kp + (3 * kStride)) : default;
            var v4 = TOp.Coefficients > 4 ? Vector.Load(kp + (4 * kStride)) : default;
            var vb = TOp.ReadsSecond ? Vector.Load(b + i) : default;
            VectorStore.Store(TOp.Apply(Vector.Load(a + i), vb, Vector.Load(kp), v1, v2, v3, v4), o + i, streaming);
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
