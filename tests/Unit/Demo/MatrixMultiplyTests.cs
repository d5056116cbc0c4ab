using System.Numerics;
using BnNative.Demo;

namespace BnNative.Tests.Demo;

/// <summary>
/// The demo's matrix product: the default (CBLAS when one loads) agrees with the managed loops for every transpose
/// combination, in float and double, with and without accumulation, and on empty shapes; the loops agree with a
/// plain double-precision triple loop written here.
/// </summary>
public sealed class MatrixMultiplyTests
{
    public static TheoryData<bool, bool, int, int, int> Shapes()
    {
        var data = new TheoryData<bool, bool, int, int, int>();
        foreach (bool transA in new[] { false, true })
        {
            foreach (bool transB in new[] { false, true })
            {
                foreach (var (m, n, k) in new[] { (5, 7, 3), (1, 1, 1), (16, 64, 64), (3, 4, 1), (3, 4, 0), (0, 4, 3), (4, 0, 3), (0, 0, 2) })
                {
                    data.Add(transA, transB, m, n, k);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void TheDefaultAgreesWithTheManagedLoopsInFloat(bool transA, bool transB, int m, int n, int k) =>
        AssertAgree<float>(transA, transB, m, n, k, tolerance: 1e-5);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void TheDefaultAgreesWithTheManagedLoopsInDouble(bool transA, bool transB, int m, int n, int k) =>
        AssertAgree<double>(transA, transB, m, n, k, tolerance: 1e-13);

    [Fact]
    public void TooSmallBuffersAreRejectedBeforeAnyProduct()
    {
        foreach (var gemm in new[] { MatrixMultiply.Managed, MatrixMultiply.Create() })
        {
            var e = Assert.Throws<ArgumentException>(() => gemm.Multiply(false, false, 2, 3, 4, new float[7], new float[12], new float[6]));
            Assert.Contains("(2×4)·(4×3)", e.Message, StringComparison.Ordinal);
            Assert.Throws<ArgumentException>(() => gemm.Multiply(true, true, 2, 3, 4, new double[8], new double[11], new double[6]));
            Assert.Throws<ArgumentException>(() => gemm.Multiply(false, true, 2, 3, 4, new double[8], new double[12], new double[5]));
        }
    }

    [Fact]
    public void TheDescriptionSaysWhatComputesTheProducts()
    {
        Assert.Equal("managed loops", MatrixMultiply.Managed.Description);
        Assert.False(string.IsNullOrWhiteSpace(MatrixMultiply.Create().Description));
    }

    /// <summary>
    /// C starts non-zero: once overwritten (accumulate false) and once added to (true). Empty shapes leave C as it was.
    /// Relative tolerance against the largest |a|·|b| sum, the scale of the rounding error.
    /// </summary>
    private static void AssertAgree<T>(bool transA, bool transB, int m, int n, int k, double tolerance)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random((m * 1000) + (n * 10) + k);
        T[] Random(int length) => Enumerable.Range(0, length).Select(_ => T.CreateTruncating((random.NextDouble() * 4) - 2)).ToArray();
        var a = Random(m * k);
        var b = Random(k * n);
        var c0 = Random(m * n);
        foreach (bool accumulate in new[] { false, true })
        {
            var expected = Reference(transA, transB, m, n, k, a, b, c0, accumulate);
            var managed = (T[])c0.Clone();
            var native = (T[])c0.Clone();
            MatrixMultiply.Managed.Multiply(transA, transB, m, n, k, a, b, managed, accumulate);
            MatrixMultiply.Create().Multiply(transA, transB, m, n, k, a, b, native, accumulate);
            double scale = (k * 4) + 2;
            for (int i = 0; i < expected.Length; i++)
            {
                double loops = double.CreateTruncating(managed[i]);
                double other = double.CreateTruncating(native[i]);
                Assert.True(Math.Abs(loops - expected[i]) <= tolerance * scale, $"managed C[{i}] = {loops}, reference {expected[i]} (accumulate {accumulate})");
                Assert.True(Math.Abs(other - loops) <= tolerance * scale, $"default C[{i}] = {other}, managed {loops} (accumulate {accumulate})");
            }

            if (m == 0 || n == 0)
            {
                Assert.Equal(c0, native);
                Assert.Equal(c0, managed);
            }
        }
    }

    /// <summary>op(A)·op(B) (+ C) from the row-major layouts the demo documents: A stored k×m when transposed, B n×k.</summary>
    private static double[] Reference<T>(bool transA, bool transB, int m, int n, int k, T[] a, T[] b, T[] c, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var result = new double[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = accumulate ? double.CreateTruncating(c[(i * n) + j]) : 0;
                for (int p = 0; p < k; p++)
                {
                    var left = transA ? a[(p * m) + i] : a[(i * k) + p];
                    var right = transB ? b[(j * k) + p] : b[(p * n) + j];
                    sum += double.CreateTruncating(left) * double.CreateTruncating(right);
                }

                result[(i * n) + j] = sum;
            }
        }

        return result;
    }
}
