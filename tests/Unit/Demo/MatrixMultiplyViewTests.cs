using BnNative.Demo;
using BnNative.Tensors;

namespace BnNative.Tests.Demo;

/// <summary>
/// Gemm over tensor views: permuted (transposed) and sliced views with a row stride wider than their columns go to
/// CBLAS with the right transpose flag and leading dimension, and agree with the managed loops and a plain loop.
/// </summary>
public sealed class MatrixMultiplyViewTests
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void PermutedAndSlicedViewsMultiplyLikeTheirValues(bool permuteA, bool permuteB)
    {
        var random = new Random(3);
        const int m = 5, k = 4, n = 6;

        // Each operand is a slice of a wider buffer (leading dimension 9), optionally stored transposed.
        TensorView<double> Operand(int rows, int columns, bool transposed)
        {
            var storage = Enumerable.Range(0, 9 * 9).Select(_ => random.NextDouble() - 0.5).ToArray();
            var wide = TensorView<double>.Create(storage, 9, 9);
            return transposed
                ? wide.Slice(0, 1, columns).Slice(1, 2, rows).Permute(1, 0)
                : wide.Slice(0, 1, rows).Slice(1, 2, columns);
        }

        var a = Operand(m, k, permuteA);
        var b = Operand(k, n, permuteB);
        foreach (var gemm in new[] { MatrixMultiply.Managed, MatrixMultiply.Create() })
        {
            var cStorage = new double[m * 8];
            var c = TensorView<double>.Create(cStorage, m, 8).Slice(1, 1, n);
            gemm.Multiply(a, b, c);
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    double expected = 0;
                    for (int p = 0; p < k; p++)
                    {
                        expected += a[i, p] * b[p, j];
                    }

                    Assert.Equal(expected, c[i, j], 1e-12);
                }

                Assert.Equal(0, cStorage[i * 8]);
                Assert.Equal(0, cStorage[(i * 8) + 7]);
            }
        }
    }

    [Fact]
    public void AViewWithoutAUnitStrideIsRejected()
    {
        var transposed = TensorView<float>.Create(new float[32], 4, 8).Permute(1, 0);
        var wide = TensorView<float>.Create(new float[16], 4, 4);
        var gapped = new TensorView<float>(new float[64], new TensorShape([3, 3], [16, 2], 0));
        foreach (var gemm in new[] { MatrixMultiply.Managed, MatrixMultiply.Create() })
        {
            var error = Assert.Throws<ArgumentException>(() => gemm.Multiply(gapped, TensorView<float>.Create(new float[9], 3, 3), TensorView<float>.Create(new float[9], 3, 3)));
            Assert.Equal("a", error.ParamName);
            Assert.Contains("no unit stride", error.Message, StringComparison.Ordinal);
            // c must be row-major; the inner dimensions must match.
            Assert.Throws<ArgumentException>(() => gemm.Multiply(wide, wide, transposed.Slice(0, 0, 4).Slice(1, 0, 4)));
            Assert.Throws<ArgumentException>(() => gemm.Multiply(wide, TensorView<float>.Create(new float[12], 3, 4), wide));
        }
    }
}
