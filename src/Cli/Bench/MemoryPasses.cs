using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using BnNative.Kernels;

namespace BnNative.Cli.Bench;

/// <summary>
/// The memory passes the bandwidth floors are made of: a vectorized read (sum), a copy and a two-input copy
/// (destination = a + b). Each splits its buffers into <c>threads</c> contiguous parts (boundaries on 64-byte
/// multiples), one per thread of the kernels' own <see cref="WorkerPool"/>, so no call starts a thread and the floor runs
/// on exactly the threads the kernel it is compared with runs on (two pools spinning in turn on two cores slowed both).
/// For tensors that fit in cache the fork/join (a few µs) still weighs on the 2-thread floor. Outputs of <see cref="StreamingBytes"/> or
/// more are written with non-temporal stores (PERF-NOTES: 1.3–1.6× faster than ordinary stores there, which first
/// read every written line); smaller ones, which fit in cache, with ordinary stores.
/// </summary>
internal static class MemoryPasses
{
    /// <summary>Output size from which the copies stream past the cache: 32 MB.</summary>
    public const long StreamingBytes = 32L << 20;

    // Part boundaries on whole cache lines keep the two threads from sharing a line.
    private const int PartAlignment = 16;

    /// <summary>The sum of <paramref name="data"/> (its value only keeps the reads from being optimized away).</summary>
    public static float Sum(ArraySegment<float> data, int threads)
    {
        if (threads == 1)
        {
            return Sum(data.AsSpan());
        }

        var partial = new float[threads];
        ForEachPart(data.Count, threads, (part, start, length) => partial[part] = Sum(data.AsSpan(start, length)));
        return partial.Sum();
    }

    /// <summary>Copies <paramref name="source"/> into <paramref name="destination"/> (same length), in cache the <paramref name="kind"/> way.</summary>
    public static void Copy(ArraySegment<float> source, ArraySegment<float> destination, int threads, FloorCopy kind = FloorCopy.Best) =>
        ForEachPart(source.Count, threads, (_, start, length) =>
        {
            if (Streams(destination))
            {
                Stream(source, null, destination, start, length);
            }
            else if (kind == FloorCopy.Vector)
            {
                VectorCopy(source.AsSpan(start, length), destination.AsSpan(start, length));
            }
            else
            {
                source.AsSpan(start, length).CopyTo(destination.AsSpan(start, length));
            }
        });

    /// <summary>Writes <paramref name="a"/> + <paramref name="b"/> into <paramref name="destination"/> (same lengths).</summary>
    public static void Combine(ArraySegment<float> a, ArraySegment<float> b, ArraySegment<float> destination, int threads) =>
        ForEachPart(a.Count, threads, (_, start, length) =>
        {
            if (Streams(destination))
            {
                Stream(a, b, destination, start, length);
            }
            else
            {
                Add(a.AsSpan(start, length), b.AsSpan(start, length), destination.AsSpan(start, length));
            }
        });

    private static bool Streams(ArraySegment<float> destination) =>
        Avx.IsSupported && (long)destination.Count * sizeof(float) >= StreamingBytes;

    private static void ForEachPart(int length, int threads, Action<int, int, int> part)
    {
        if (threads == 1)
        {
            part(0, 0, length);
            return;
        }

        int per = length / threads / PartAlignment * PartAlignment;
        WorkerPool.ForEach(threads, threads, t =>
        {
            int start = t * per;
            part(t, start, t == threads - 1 ? length - start : per);
        });
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Sum(ReadOnlySpan<float> data)
    {
        var vectors = MemoryMarshal.Cast<float, Vector<float>>(data);
        Vector<float> a = default, b = default, c = default, d = default;
        int i = 0;
        for (; i + 4 <= vectors.Length; i += 4)
        {
            a += vectors[i];
            b += vectors[i + 1];
            c += vectors[i + 2];
            d += vectors[i + 3];
        }

        for (; i < vectors.Length; i++)
        {
            a += vectors[i];
        }

        float total = Vector.Sum(a + b + c + d);
        for (int k = vectors.Length * Vector<float>.Count; k < data.Length; k++)
        {
            total += data[k];
        }

        return total;
    }

    /// <summary>destination = source with 512-bit (else <see cref="Vector{T}"/>) loads and ordinary stores, four vectors per step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void VectorCopy(ReadOnlySpan<float> source, Span<float> destination)
    {
        fixed (float* from = source)
        fixed (float* to = destination)
        {
            int i = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                int w = Vector512<float>.Count;
                for (; i + (4 * w) <= source.Length; i += 4 * w)
                {
                    var a = Vector512.Load(from + i);
                    var b = Vector512.Load(from + i + w);
                    var c = Vector512.Load(from + i + (2 * w));
                    var d = Vector512.Load(from + i + (3 * w));
                    a.Store(to + i);
                    b.Store(to + i + w);
                    c.Store(to + i + (2 * w));
                    d.Store(to + i + (3 * w));
                }
            }

            for (; i + Vector<float>.Count <= source.Length; i += Vector<float>.Count)
            {
                Vector.Load(from + i).Store(to + i);
            }

            for (; i < source.Length; i++)
            {
                to[i] = from[i];
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> destination)
    {
        var va = MemoryMarshal.Cast<float, Vector<float>>(a);
        var vb = MemoryMarshal.Cast<float, Vector<float>>(b);
        var vd = MemoryMarshal.Cast<float, Vector<float>>(destination);
        for (int i = 0; i < vd.Length; i++)
        {
            vd[i] = va[i] + vb[i];
        }

        for (int k = vd.Length * Vector<float>.Count; k < destination.Length; k++)
        {
            destination[k] = a[k] + b[k];
        }
    }

    /// <summary>destination[start..] = a (+ b when not null) with 32-byte non-temporal stores, then a store fence.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Stream(ArraySegment<float> a, ArraySegment<float>? b, ArraySegment<float> destination, int start, int length)
    {
        fixed (float* pa0 = a.AsSpan())
        fixed (float* pb0 = b is { } second ? second.AsSpan() : default)
        fixed (float* pd0 = destination.AsSpan())
        {
            float* pa = pa0 + start;
            float* pb = pb0 is null ? null : pb0 + start;
            float* pd = pd0 + start;
            int i = 0;
            for (; i < length && ((nuint)(pd + i) & 31) != 0; i++)
            {
                pd[i] = pb is null ? pa[i] : pa[i] + pb[i];
            }

            for (; i + 8 <= length; i += 8)
            {
                var v = Avx.LoadVector256(pa + i);
                Avx.StoreAlignedNonTemporal(pd + i, pb is null ? v : Avx.Add(v, Avx.LoadVector256(pb + i)));
            }

            for (; i < length; i++)
            {
                pd[i] = pb is null ? pa[i] : pa[i] + pb[i];
            }

            Sse.StoreFence();
        }
    }
}
