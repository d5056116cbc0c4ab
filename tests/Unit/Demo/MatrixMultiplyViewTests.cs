using BnNative.Demo;
using BnNative.Tensors;
using BnNative.Tests.Blas;

namespace BnNative.Tests.Demo;

/// <summary>
/// The demo's products over tensor views: with BLAS they go through <c>CblasLibrary.Gemm</c> over views (whose layouts,
/// edge cases and errors tests/Unit/Blas covers on every library); here the managed fallback and the default agree on
/// permuted and sliced operands and on a row-major or column-major C, and both refuse the views CBLAS cannot read.
/// </summary>
public sealed class MatrixMultiplyViewTests
{
    public static TheoryData<MatrixStorage, MatrixStorage, MatrixStorage> Storages()
    {
        var data = new TheoryData<MatrixStorage, MatrixStorage, MatrixStorage>();
        foreach (var a in Enum.GetValues<MatrixStorage>())
        {
            foreach (var b in Enum.GetValues<MatrixStorage>())
            {
                foreach (var c in new[] { MatrixStorage.SubMatrix, MatrixStorage.TransposedSubMatrix })
                {
                    data.Add(a, b, c);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Storages))]
    public void PermutedAndSlicedViewsMultiplyLikeTheirValues(MatrixStorage storageA, MatrixStorage storageB, MatrixStorage storageC)
    {
        var random = new Random(3);
        const int m = 5, k = 4, n = 6;
        double[] Values(int count) => [.. Enumerable.Range(0, count).Select(_ => random.NextDouble() - 0.5)];
        var a = StoredMatrix<double>.Create(Values(m * k), m, k, storageA, double.NaN);
        var b = StoredMatrix<double>.Create(Values(k * n), k, n, storageB, double.NaN);
        foreach (var gemm in new[] { MatrixMultiply.Managed, MatrixMultiply.Create() })
        {
            var c = StoredMatrix<double>.Create(new double[m * n], m, n, storageC, 0.0);
            gemm.Multiply(a.View, b.View, c.View);
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    double expected = 0;
                    for (int p = 0; p < k; p++)
                    {
                        expected += a.View[i, p] * b.View[p, j];
                    }

                    Assert.Equal(expected, c.View[i, j], 1e-12);
                }
            }

            c.AssertPaddingUntouched($"{gemm.Description}: A {storageA}, B {storageB}, C {storageC}");
        }
    }

    [Fact]
    public void ViewsCblasCannotReadAndMismatchedLengthsAreRejected()
    {
        var wide = TensorView<float>.Create(new float[16], 4, 4);
        var gapped = new TensorView<float>(new float[64], new TensorShape([3, 3], [16, 2], 0));
        foreach (var gemm in new[] { MatrixMultiply.Managed, MatrixMultiply.Create() })
        {
            var error = Assert.Throws<ArgumentException>(() => gemm.Multiply(gapped, TensorView<float>.Create(new float[9], 3, 3), TensorView<float>.Create(new float[9], 3, 3)));
            Assert.Equal("a", error.ParamName);
            Assert.Contains("no unit stride", error.Message, StringComparison.Ordinal);
            Assert.Equal("c", Assert.Throws<ArgumentException>(() => gemm.Multiply(wide, wide, gapped.Slice(0, 0, 3).Slice(1, 0, 3))).ParamName);
            Assert.Throws<ArgumentException>(() => gemm.Multiply(wide, TensorView<float>.Create(new float[12], 3, 4), wide));
        }
    }
}
