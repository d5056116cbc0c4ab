using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace BnNative.Benchmarks;

/// <summary>
/// The read-bandwidth floor: a vectorized sum over a buffer of the same size as the tensor, split over the same
/// number of threads. No moments kernel can read its input faster than this.
/// </summary>
public static class ReadFloor
{
    /// <summary>Sums <paramref name="data"/> with <paramref name="threads"/> threads.</summary>
    public static float Sum(float[] data, int threads)
    {
        if (threads == 1)
        {
            return Sum(data.AsSpan());
        }

        var partial = new float[threads];
        int per = data.Length / threads / Vector<float>.Count * Vector<float>.Count;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            int start = t * per;
            int length = t == threads - 1 ? data.Length - start : per;
            partial[t] = Sum(data.AsSpan(start, length));
        });
        return partial.Sum();
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
}
