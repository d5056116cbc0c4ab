using System.Numerics;
using MathNet.Numerics.Providers.LinearAlgebra;

namespace BnNative.Tests.MathNet;

/// <summary>
/// Random operands and the tolerances that compare two implementations summing in different orders: each result of a
/// length-k sum of products may be off by γ_k·Σ|terms| (γ_k ≈ k·u, u the unit roundoff: 2⁻²⁴ for float, 2⁻⁵³ for
/// double), so two of them differ by at most twice that. Never exact equality across summation orders.
/// </summary>
internal static class RoundingBounds
{
    public static double UnitRoundoff<T>() => typeof(T) == typeof(float) ? Math.ScaleB(1, -24) : Math.ScaleB(1, -53);

    /// <summary>Values uniform in [−1, 1), rounded to <typeparamref name="T"/>.</summary>
    public static T[] Random<T>(int length, int seed)
        where T : IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, length).Select(_ => T.CreateTruncating((random.NextDouble() * 2) - 1))];
    }

    /// <summary>
    /// Asserts that <paramref name="actual"/> and <paramref name="expected"/> (column-major m×n results of
    /// c ← alpha·op(a)·op(b) + beta·c0) differ by at most 2·γ_(k+2)·(|alpha|·(|op(a)|·|op(b)|) + |beta|·|c0|) per element.
    /// </summary>
    public static void AssertGemmClose<T>(
        Transpose transposeA, Transpose transposeB, T alpha, T[] a, int rowsA, int columnsA, T[] b, int rowsB, int columnsB, T beta,
        T[] c0, T[] expected, T[] actual)
        where T : IFloatingPointIeee754<T>
    {
        bool transA = transposeA != Transpose.DontTranspose;
        bool transB = transposeB != Transpose.DontTranspose;
        int m = transA ? columnsA : rowsA;
        int k = transA ? rowsA : columnsA;
        int n = transB ? rowsB : columnsB;
        Assert.Equal(m * n, actual.Length);
        double gamma = 2 * (k + 2) * UnitRoundoff<T>();
        for (int j = 0; j < n; j++)
        {
            for (int i = 0; i < m; i++)
            {
                double magnitude = 0;
                for (int l = 0; l < k; l++)
                {
                    double opA = D(transA ? a[(i * rowsA) + l] : a[(l * rowsA) + i]);
                    double opB = D(transB ? b[(l * rowsB) + j] : b[(j * rowsB) + l]);
                    magnitude += Math.Abs(opA * opB);
                }

                int index = (j * m) + i;
                double bound = gamma * ((Math.Abs(D(alpha)) * magnitude) + (Math.Abs(D(beta)) * Math.Abs(D(c0[index]))));
                double difference = Math.Abs(D(actual[index]) - D(expected[index]));
                Assert.True(
                    difference <= bound,
                    $"({i}, {j}) of a {m}×{n} product (k = {k}, {transposeA}/{transposeB}, alpha {alpha}, beta {beta}): got {actual[index]}, the managed provider {expected[index]}, |difference| {difference:G3} > bound {bound:G3}.");
            }
        }
    }

    /// <summary>Asserts element-wise |actual − expected| ≤ rounds·u·magnitude[i].</summary>
    public static void AssertClose<T>(T[] expected, T[] actual, double[] magnitude, int rounds)
        where T : IFloatingPointIeee754<T>
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double bound = rounds * UnitRoundoff<T>() * magnitude[i];
            double difference = Math.Abs(D(actual[i]) - D(expected[i]));
            Assert.True(difference <= bound, $"[{i}] got {actual[i]}, expected {expected[i]}: |difference| {difference:G3} > bound {bound:G3}.");
        }
    }

    public static double D<T>(T value)
        where T : IFloatingPointIeee754<T> => double.CreateTruncating(value);
}
