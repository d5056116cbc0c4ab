namespace BnNative.Tests.Blas;

/// <summary>Test data and a plain managed definition of the level-1 BLAS operations, including negative increments.</summary>
internal static class BlasVectors
{
    /// <summary>
    /// Storage index of logical element <paramref name="i"/> of an <paramref name="n"/>-vector: BLAS passes the
    /// lowest address, so a negative increment walks the storage backwards.
    /// </summary>
    public static long Index(long i, long n, long inc) => inc > 0 ? i * inc : (n - 1 - i) * -inc;

    /// <summary>Storage for <paramref name="n"/> elements <paramref name="inc"/> apart, filled with small integers (exact in float).</summary>
    public static double[] Data(long n, long inc, int seed) =>
        [.. Enumerable.Range(0, (int)(((n - 1) * Math.Abs(inc)) + 1)).Select(i => (double)(((i * seed) + 1) % 7 - 3))];

    public static float[] ToFloat(double[] values) => Array.ConvertAll(values, v => (float)v);

    public static double[] ToDouble(float[] values) => Array.ConvertAll(values, v => (double)v);

    public static double Dot(long n, double[] x, long incX, double[] y, long incY)
    {
        double sum = 0;
        for (long i = 0; i < n; i++)
        {
            sum += x[Index(i, n, incX)] * y[Index(i, n, incY)];
        }

        return sum;
    }

    public static double[] Axpy(long n, double alpha, double[] x, long incX, double[] y, long incY)
    {
        double[] result = [.. y];
        for (long i = 0; i < n; i++)
        {
            result[Index(i, n, incY)] += alpha * x[Index(i, n, incX)];
        }

        return result;
    }

    public static double[] Copy(long n, double[] x, long incX, double[] y, long incY)
    {
        double[] result = [.. y];
        for (long i = 0; i < n; i++)
        {
            result[Index(i, n, incY)] = x[Index(i, n, incX)];
        }

        return result;
    }

    public static double[] Scal(long n, double alpha, double[] x, long incX)
    {
        double[] result = [.. x];
        for (long i = 0; i < n; i++)
        {
            result[i * Math.Abs(incX)] *= alpha;
        }

        return result;
    }
}
