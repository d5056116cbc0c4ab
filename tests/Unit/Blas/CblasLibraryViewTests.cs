using System.Numerics;
using BnNative.Native.Blas;
using BnNative.Tensors;

namespace BnNative.Tests.Blas;

/// <summary>
/// <see cref="CblasLibrary"/>'s gemm over rank-2 views against a plain double-precision loop, for every combination of
/// storages of A, B and C (row-major, transposed views, sub-matrices with a leading dimension above the row length at an
/// offset, and both), on every installed BLAS; and every argument it refuses before native code runs, with the
/// parameter named.
/// </summary>
[Collection(NativeBlasCollection.Name)]
public sealed class CblasLibraryViewTests
{
    /// <summary>(m, n, k): general, single row, single column, inner dimension 1, 1×1, inner dimension 0, empty C, and one wider than a BLAS kernel block.</summary>
    private static readonly (int M, int N, int K)[] Shapes =
        [(3, 4, 5), (1, 4, 5), (3, 1, 5), (3, 4, 1), (1, 1, 1), (3, 4, 0), (0, 4, 5), (3, 0, 5), (17, 9, 33)];

    [BlasTheory(IncludeMkl = true)]
    public void EveryStorageOfEveryOperandGivesTheProductInFloat(BlasVendor vendor) => AssertEveryStorage<float>(CblasLibrary.Load(vendor));

    [BlasTheory(IncludeMkl = true)]
    public void EveryStorageOfEveryOperandGivesTheProductInDouble(BlasVendor vendor) => AssertEveryStorage<double>(CblasLibrary.Load(vendor));

    /// <summary>
    /// Views of one buffer whose element ranges interleave without sharing an element are not aliases: C, the right half
    /// of each row, is computed from A, the left half. Moving C one column left makes them share a column: refused.
    /// </summary>
    [BlasTheory(IncludeMkl = true)]
    public void InterleavedHalvesOfOneBufferAreNotAliases(BlasVendor vendor)
    {
        var blas = CblasLibrary.Load(vendor);
        var buffer = Enumerable.Range(1, 4 * 6).Select(v => (double)v).ToArray();
        var rows = TensorView<double>.Create(buffer, 4, 6);
        var left = rows.Slice(1, 0, 3);
        var right = rows.Slice(1, 3, 3);
        var before = left.ToArray();
        var twice = TensorView<double>.Create(new double[] { 2, 0, 0, 0, 2, 0, 0, 0, 2 }, 3, 3);

        blas.Gemm(1d, left, twice, 0d, right);

        Assert.Equal(before.Select(v => 2 * v), right.ToArray());
        Assert.Equal(before, left.ToArray());
        var shared = Assert.Throws<ArgumentException>(() => blas.Gemm(1d, left, twice, 0d, rows.Slice(1, 2, 3)));
        Assert.Equal("c", shared.ParamName);
    }

    [BlasTheory(IncludeMkl = true)]
    public void NullViewsAreRejectedNamingTheParameter(BlasVendor vendor)
    {
        var blas = CblasLibrary.Load(vendor);
        var m = Matrix(2, 2);
        Assert.Equal("a", Assert.Throws<ArgumentNullException>(() => blas.Gemm(1f, null!, m, 0f, Matrix(2, 2))).ParamName);
        Assert.Equal("b", Assert.Throws<ArgumentNullException>(() => blas.Gemm(1d, MatrixD(2, 2), null!, 0d, MatrixD(2, 2))).ParamName);
        Assert.Equal("c", Assert.Throws<ArgumentNullException>(() => blas.Gemm(1f, m, m, 0f, null!)).ParamName);
    }

    /// <summary>Every refusal names the view at fault and happens before anything is written (C keeps its values).</summary>
    [BlasTheory(IncludeMkl = true)]
    public void BadViewsAreRejectedBeforeNativeCodeNamingTheParameter(BlasVendor vendor)
    {
        var blas = CblasLibrary.Load(vendor);
        var gapped = new TensorView<float>(new float[64], new TensorShape([3, 3], [16, 2], 0));
        var broadcastRows = new TensorView<float>(new float[3], new TensorShape([4, 3], [0, 1], 0));
        var vector = TensorView<float>.Create(new float[3], 3);
        var cube = TensorView<float>.Create(new float[27], 3, 3, 3);
        var shared = Matrix(3, 3);
        var cases = new (Action Call, string Parameter, string Fragment)[]
        {
            (() => blas.Gemm(1f, vector, Matrix(3, 3), 0f, Matrix(1, 3)), "a", "rank 1"),
            (() => blas.Gemm(1f, Matrix(3, 3), cube, 0f, Matrix(3, 3)), "b", "rank 3"),
            (() => blas.Gemm(1f, Matrix(3, 3), Matrix(3, 3), 0f, vector), "c", "rank 1"),
            (() => blas.Gemm(1f, Matrix(2, 3), Matrix(4, 2), 0f, Matrix(2, 2)), "b", "b has 4 rows but a [2, 3] has 3 columns"),
            (() => blas.Gemm(1f, Matrix(2, 3), Matrix(3, 2), 0f, Matrix(2, 3)), "c", "c is [2, 3] but a [2, 3] times b [3, 2] is [2, 2]"),
            (() => blas.Gemm(1f, Matrix(2, 3), Matrix(3, 2), 0f, Matrix(3, 2)), "c", "is [2, 2]"),
            (() => blas.Gemm(1f, gapped, Matrix(3, 3), 0f, Matrix(3, 3)), "a", "no unit stride"),
            (() => blas.Gemm(1f, Matrix(3, 3), gapped, 0f, Matrix(3, 3)), "b", "no unit stride"),
            (() => blas.Gemm(1f, Matrix(3, 3), Matrix(3, 3), 0f, gapped), "c", "no unit stride"),
            (() => blas.Gemm(1f, broadcastRows, Matrix(3, 3), 0f, Matrix(4, 3)), "a", "rows overlap"),
            (() => blas.Gemm(1f, shared, Matrix(3, 3), 0f, shared), "c", "c shares elements with a"),
            (() => blas.Gemm(1f, Matrix(3, 3), shared, 1f, shared.Permute(1, 0)), "c", "c shares elements with b"),
        };
        foreach (var (call, parameter, fragment) in cases)
        {
            var error = Assert.Throws<ArgumentException>(call);
            Assert.Equal(parameter, error.ParamName);
            Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        }

        // A partial overlap of the same buffer: C is rows 1–2 of a buffer whose rows 0–1 are A.
        var buffer = new double[4 * 3];
        var rows = TensorView<double>.Create(buffer, 4, 3);
        var overlap = Assert.Throws<ArgumentException>(() => blas.Gemm(1d, rows.Slice(0, 0, 2), MatrixD(3, 3), 0d, rows.Slice(0, 1, 2)));
        Assert.Equal("c", overlap.ParamName);

        // Rows 2–3 do not meet rows 0–1: accepted.
        rows[0, 0] = 1;
        rows[1, 1] = 1;
        blas.Gemm(1d, rows.Slice(0, 0, 2), MatrixD(3, 3, value: 2), 0d, rows.Slice(0, 2, 2));
        Assert.Equal([1d, 0, 0, 0, 1, 0, 2, 2, 2, 2, 2, 2], buffer);
    }

    /// <summary>
    /// For every storage of A, B and C and every shape: C ← alpha·A·B + beta·C with (alpha, beta) = (1.5, −0.5) on a
    /// finite C, and (1, 0) on a C full of NaN (beta = 0 must not read C). The padding of A and B is NaN, so reading it
    /// would show in C; the padding of C must come back untouched. The error bound: a sum of k products and one more
    /// term, rounded in any order, is within (k + 2)·u·S of the exact value, S = |alpha|·Σ|aᵢₚ·bₚⱼ| + |beta·cᵢⱼ|, u the
    /// unit roundoff of <typeparamref name="T"/>; the double reference loop is within the same bound, hence the factor 2.
    /// </summary>
    private static void AssertEveryStorage<T>(CblasLibrary blas)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double unit = typeof(T) == typeof(float) ? Math.ScaleB(1, -24) : Math.ScaleB(1, -53);
        var storages = Enum.GetValues<MatrixStorage>();
        foreach (var (m, n, k) in Shapes)
        {
            var random = new Random((m * 10_000) + (n * 100) + k);
            double[] Values(int count) => [.. Enumerable.Range(0, count).Select(_ => double.CreateTruncating(T.CreateTruncating((random.NextDouble() * 2) - 1)))];
            var aValues = Values(m * k);
            var bValues = Values(k * n);
            var cValues = Values(m * n);
            foreach (var (alpha, beta, cStart) in new[] { (1.5, -0.5, cValues), (1.0, 0.0, Enumerable.Repeat(double.NaN, m * n).ToArray()) })
            {
                foreach (var sa in storages)
                {
                    foreach (var sb in storages)
                    {
                        foreach (var sc in storages)
                        {
                            string context = $"{blas.Vendor} {typeof(T).Name} m={m} n={n} k={k} A {sa}, B {sb}, C {sc}, alpha {alpha}, beta {beta}";
                            var a = StoredMatrix<T>.Create(aValues, m, k, sa, T.NaN);
                            var b = StoredMatrix<T>.Create(bValues, k, n, sb, T.NaN);
                            var c = StoredMatrix<T>.Create(cStart, m, n, sc, T.CreateTruncating(-7));
                            Gemm(blas, T.CreateTruncating(alpha), a.View, b.View, T.CreateTruncating(beta), c.View);

                            var actual = c.Values();
                            for (int i = 0; i < m; i++)
                            {
                                for (int j = 0; j < n; j++)
                                {
                                    double exact = beta == 0 ? 0 : beta * cStart[(i * n) + j];
                                    double scale = Math.Abs(exact);
                                    for (int p = 0; p < k; p++)
                                    {
                                        double term = alpha * aValues[(i * k) + p] * bValues[(p * n) + j];
                                        exact += term;
                                        scale += Math.Abs(term);
                                    }

                                    double error = Math.Abs(actual[(i * n) + j] - exact);
                                    Assert.True(error <= 2 * (k + 2) * unit * scale, $"{context}: C[{i}, {j}] = {actual[(i * n) + j]:R}, expected {exact:R} (bound {2 * (k + 2) * unit * scale:E2})");
                                }
                            }

                            c.AssertPaddingUntouched(context);
                            a.AssertPaddingUntouched(context);
                            b.AssertPaddingUntouched(context);
                        }
                    }
                }
            }
        }
    }

    private static void Gemm<T>(CblasLibrary blas, T alpha, TensorView<T> a, TensorView<T> b, T beta, TensorView<T> c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            blas.Gemm(float.CreateTruncating(alpha), (TensorView<float>)(object)a, (TensorView<float>)(object)b, float.CreateTruncating(beta), (TensorView<float>)(object)c);
        }
        else
        {
            blas.Gemm(double.CreateTruncating(alpha), (TensorView<double>)(object)a, (TensorView<double>)(object)b, double.CreateTruncating(beta), (TensorView<double>)(object)c);
        }
    }

    private static TensorView<float> Matrix(int rows, int columns) => TensorView<float>.Create(new float[rows * columns], rows, columns);

    private static TensorView<double> MatrixD(int rows, int columns, double value = 0) =>
        TensorView<double>.Create(Enumerable.Repeat(value, rows * columns).ToArray(), rows, columns);
}
