using BnNative.Native.Blas;
using static BnNative.Tests.Blas.BlasVectors;

namespace BnNative.Tests.Blas;

[Collection(NativeBlasCollection.Name)]
public sealed unsafe class CblasLibraryMatrixTests
{
    /// <summary>A = [[1,2,3],[4,5,6]] row-major with a padded row length of 4 (the padding must not be read).</summary>
    private static readonly double[] PaddedA = [1, 2, 3, double.NaN, 4, 5, 6, double.NaN];

    [BlasTheory]
    public void Gemv_HandWorkedCases(BlasVendor vendor)
    {
        var blas = CblasLibrary.Load(vendor);

        // 2·A·[1,0,−1] + [1,1] = 2·[−2,−2] + 1 = [−3,−3]
        Assert.Equal([-3d, -3d], Gemv(blas, transpose: false, alpha: 2, x: [1, 0, -1], incX: 1, beta: 1, y: [1, 1], incY: 1));

        // Aᵀ·[1,1] = [5,7,9], written every second element of y; beta = 0 must not read the NaN.
        Assert.Equal([5d, -1, 7, -1, 9], Gemv(blas, transpose: true, alpha: 1, x: [1, 1], incX: 1, beta: 0, y: [double.NaN, -1, double.NaN, -1, double.NaN], incY: 2));

        // A negative increment reads x backwards: A·[3,2,1] = [10,28].
        Assert.Equal([10d, 28d], Gemv(blas, transpose: false, alpha: 1, x: [1, 2, 3], incX: -1, beta: 0, y: [0, 0], incY: 1));
    }

    [BlasTheory]
    public void Gemv_EmptyInnerDimension_ScalesYByBeta(BlasVendor vendor)
    {
        var blas = CblasLibrary.Load(vendor);
        float[] yf = [1, 2];
        double[] yd = [double.NaN, 5];
        fixed (float* y = yf)
        fixed (double* yy = yd)
        {
            blas.Gemv(false, 2, 0, 1f, null, 1, null, 1, 3f, y, 1);
            blas.Gemv(true, 0, 2, 1d, null, 2, null, 1, 0d, yy, 1);
        }

        Assert.Equal([3f, 6f], yf);
        Assert.Equal([0d, 0d], yd);
    }

    [BlasTheory]
    public void Gemm_AllTransposeCombinations_GiveTheSameProduct(BlasVendor vendor)
    {
        var blas = CblasLibrary.Load(vendor);
        double[] a = [1, 2, 3, 4, 5, 6], aT = [1, 4, 2, 5, 3, 6];
        double[] b = [7, 8, 9, 10, 11, 12], bT = [7, 9, 11, 8, 10, 12];
        double[] expected = [58, 64, 139, 154]; // [[1,2,3],[4,5,6]]·[[7,8],[9,10],[11,12]]
        foreach (bool transA in (bool[])[false, true])
        {
            foreach (bool transB in (bool[])[false, true])
            {
                double[] c = Gemm(blas, transA, transB, transA ? aT : a, transA ? 2 : 3, transB ? bT : b, transB ? 3 : 2, beta: 0, c: [double.NaN, double.NaN, double.NaN, double.NaN]);
                Assert.Equal(expected, c);
            }
        }
    }

    [BlasTheory]
    public void Gemm_AlphaBetaAndEmptyInnerDimension(BlasVendor vendor)
    {
        var blas = CblasLibrary.Load(vendor);

        // 0.5·A·B + 2·C with C = 1: [29+2, 32+2, 69.5+2, 77+2]
        Assert.Equal([31d, 34d, 71.5d, 79d], Gemm(blas, false, false, [1, 2, 3, 4, 5, 6], 3, [7, 8, 9, 10, 11, 12], 2, beta: 2, c: [1, 1, 1, 1], alpha: 0.5));

        // k = 0: C ← beta·C.
        float[] cf = [1, 2, 3, 4];
        double[] cd = [1, 2, 3, 4];
        fixed (float* c = cf)
        fixed (double* cc = cd)
        {
            blas.Gemm(false, false, 2, 2, 0, 1f, null, 1, null, 2, 3f, c, 2);
            blas.Gemm(true, true, 2, 2, 0, 1d, null, 2, null, 1, 3d, cc, 2);
        }

        Assert.Equal([3f, 6f, 9f, 12f], cf);
        Assert.Equal([3d, 6d, 9d, 12d], cd);
    }

    /// <summary>Runs the float and the double gemv on <see cref="PaddedA"/>; asserts they agree and returns y.</summary>
    private static double[] Gemv(CblasLibrary blas, bool transpose, double alpha, double[] x, int incX, double beta, double[] y, int incY)
    {
        float[] af = ToFloat(PaddedA), xf = ToFloat(x), yf = ToFloat(y);
        double[] ad = PaddedA, yd = [.. y];
        fixed (float* pa = af, px = xf, py = yf)
        fixed (double* qa = ad, qx = x, qy = yd)
        {
            blas.Gemv(transpose, 2, 3, (float)alpha, pa, 4, px, incX, (float)beta, py, incY);
            blas.Gemv(transpose, 2, 3, alpha, qa, 4, qx, incX, beta, qy, incY);
        }

        Assert.Equal(ToFloat(yd), yf);
        return yd;
    }

    /// <summary>Runs the float and the double gemm (m = n = 2, k = 3); asserts they agree and returns C.</summary>
    private static double[] Gemm(CblasLibrary blas, bool transA, bool transB, double[] a, int lda, double[] b, int ldb, double beta, double[] c, double alpha = 1)
    {
        float[] af = ToFloat(a), bf = ToFloat(b), cf = ToFloat(c);
        double[] cd = [.. c];
        fixed (float* pa = af, pb = bf, pc = cf)
        fixed (double* qa = a, qb = b, qc = cd)
        {
            blas.Gemm(transA, transB, 2, 2, 3, (float)alpha, pa, lda, pb, ldb, (float)beta, pc, 2);
            blas.Gemm(transA, transB, 2, 2, 3, alpha, qa, lda, qb, ldb, beta, qc, 2);
        }

        Assert.Equal(ToFloat(cd), cf);
        return cd;
    }
}
