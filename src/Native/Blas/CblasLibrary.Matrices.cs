using System.Numerics;

namespace BnNative.Native.Blas;

/// <content>
/// Level-2 and level-3 wrappers over row-major matrices. Dimensions are 32-bit as in CBLAS; a matrix element
/// (i, j) sits at <c>a[i·lda + j]</c>.
/// </content>
public sealed unsafe partial class CblasLibrary
{
    /// <summary>
    /// y ← alpha·op(A)·x + beta·y for a row-major <paramref name="m"/>×<paramref name="n"/> float matrix A, with
    /// op(A) = A, or Aᵀ when <paramref name="transpose"/> (<c>cblas_sgemv</c>). With beta = 0, y is not read.
    /// </summary>
    /// <remarks>
    /// When op(A) has no columns (the inner dimension is 0) the result is y ← beta·y, computed here: BLAS
    /// implementations return early and leave y unscaled.
    /// </remarks>
    /// <param name="transpose">Whether to multiply by Aᵀ: then x has <paramref name="m"/> elements and y <paramref name="n"/>.</param>
    /// <param name="m">Rows of A, ≥ 0.</param>
    /// <param name="n">Columns of A, ≥ 0.</param>
    /// <param name="alpha">Scale of the product.</param>
    /// <param name="a">The matrix.</param>
    /// <param name="lda">Distance between rows of A in elements, ≥ max(1, <paramref name="n"/>).</param>
    /// <param name="x">Input vector: <paramref name="n"/> elements, or <paramref name="m"/> when transposed.</param>
    /// <param name="incX">Increment of <paramref name="x"/>, non-zero (negative: BLAS meaning).</param>
    /// <param name="beta">Scale of the previous y.</param>
    /// <param name="y">Output vector: <paramref name="m"/> elements, or <paramref name="n"/> when transposed.</param>
    /// <param name="incY">Increment of <paramref name="y"/>, non-zero (negative: BLAS meaning).</param>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative, <paramref name="lda"/> is too small, or an increment is 0.</exception>
    /// <exception cref="ArgumentNullException">A pointer is null while its operand is not empty.</exception>
    public void Gemv(bool transpose, int m, int n, float alpha, float* a, int lda, float* x, int incX, float beta, float* y, int incY)
    {
        if (PrepareGemv(transpose, m, n, a, lda, x, incX, beta, y, incY))
        {
            _native.Sgemv(CblasOrder.RowMajor, Transpose(transpose), m, n, alpha, a, lda, x, incX, beta, y, incY);
        }
    }

    /// <summary>
    /// y ← alpha·op(A)·x + beta·y for a row-major <paramref name="m"/>×<paramref name="n"/> double matrix A, with
    /// op(A) = A, or Aᵀ when <paramref name="transpose"/> (<c>cblas_dgemv</c>). With beta = 0, y is not read.
    /// </summary>
    /// <remarks>
    /// When op(A) has no columns (the inner dimension is 0) the result is y ← beta·y, computed here: BLAS
    /// implementations return early and leave y unscaled.
    /// </remarks>
    /// <param name="transpose">Whether to multiply by Aᵀ: then x has <paramref name="m"/> elements and y <paramref name="n"/>.</param>
    /// <param name="m">Rows of A, ≥ 0.</param>
    /// <param name="n">Columns of A, ≥ 0.</param>
    /// <param name="alpha">Scale of the product.</param>
    /// <param name="a">The matrix.</param>
    /// <param name="lda">Distance between rows of A in elements, ≥ max(1, <paramref name="n"/>).</param>
    /// <param name="x">Input vector: <paramref name="n"/> elements, or <paramref name="m"/> when transposed.</param>
    /// <param name="incX">Increment of <paramref name="x"/>, non-zero (negative: BLAS meaning).</param>
    /// <param name="beta">Scale of the previous y.</param>
    /// <param name="y">Output vector: <paramref name="m"/> elements, or <paramref name="n"/> when transposed.</param>
    /// <param name="incY">Increment of <paramref name="y"/>, non-zero (negative: BLAS meaning).</param>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative, <paramref name="lda"/> is too small, or an increment is 0.</exception>
    /// <exception cref="ArgumentNullException">A pointer is null while its operand is not empty.</exception>
    public void Gemv(bool transpose, int m, int n, double alpha, double* a, int lda, double* x, int incX, double beta, double* y, int incY)
    {
        if (PrepareGemv(transpose, m, n, a, lda, x, incX, beta, y, incY))
        {
            _native.Dgemv(CblasOrder.RowMajor, Transpose(transpose), m, n, alpha, a, lda, x, incX, beta, y, incY);
        }
    }

    /// <summary>
    /// C ← alpha·op(A)·op(B) + beta·C for row-major float matrices (<c>cblas_sgemm</c>): op(A) is
    /// <paramref name="m"/>×<paramref name="k"/>, op(B) is <paramref name="k"/>×<paramref name="n"/>, C is
    /// <paramref name="m"/>×<paramref name="n"/>; op(X) = Xᵀ when the matching flag is set. With beta = 0, C is not read.
    /// </summary>
    /// <param name="transA">Whether A is stored as the <paramref name="k"/>×<paramref name="m"/> matrix Aᵀ.</param>
    /// <param name="transB">Whether B is stored as the <paramref name="n"/>×<paramref name="k"/> matrix Bᵀ.</param>
    /// <param name="m">Rows of op(A) and C, ≥ 0.</param>
    /// <param name="n">Columns of op(B) and C, ≥ 0.</param>
    /// <param name="k">Columns of op(A) and rows of op(B), ≥ 0; 0 gives C ← beta·C.</param>
    /// <param name="alpha">Scale of the product.</param>
    /// <param name="a">Matrix A as stored.</param>
    /// <param name="lda">Row distance of A as stored: ≥ max(1, k), or max(1, m) when <paramref name="transA"/>.</param>
    /// <param name="b">Matrix B as stored.</param>
    /// <param name="ldb">Row distance of B as stored: ≥ max(1, n), or max(1, k) when <paramref name="transB"/>.</param>
    /// <param name="beta">Scale of the previous C.</param>
    /// <param name="c">Output matrix.</param>
    /// <param name="ldc">Row distance of C, ≥ max(1, n).</param>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative or a leading dimension is too small.</exception>
    /// <exception cref="ArgumentNullException">A pointer is null while its matrix is not empty.</exception>
    public void Gemm(bool transA, bool transB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        CheckGemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
        _native.Sgemm(CblasOrder.RowMajor, Transpose(transA), Transpose(transB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    /// <summary>
    /// C ← alpha·op(A)·op(B) + beta·C for row-major double matrices (<c>cblas_dgemm</c>): op(A) is
    /// <paramref name="m"/>×<paramref name="k"/>, op(B) is <paramref name="k"/>×<paramref name="n"/>, C is
    /// <paramref name="m"/>×<paramref name="n"/>; op(X) = Xᵀ when the matching flag is set. With beta = 0, C is not read.
    /// </summary>
    /// <param name="transA">Whether A is stored as the <paramref name="k"/>×<paramref name="m"/> matrix Aᵀ.</param>
    /// <param name="transB">Whether B is stored as the <paramref name="n"/>×<paramref name="k"/> matrix Bᵀ.</param>
    /// <param name="m">Rows of op(A) and C, ≥ 0.</param>
    /// <param name="n">Columns of op(B) and C, ≥ 0.</param>
    /// <param name="k">Columns of op(A) and rows of op(B), ≥ 0; 0 gives C ← beta·C.</param>
    /// <param name="alpha">Scale of the product.</param>
    /// <param name="a">Matrix A as stored.</param>
    /// <param name="lda">Row distance of A as stored: ≥ max(1, k), or max(1, m) when <paramref name="transA"/>.</param>
    /// <param name="b">Matrix B as stored.</param>
    /// <param name="ldb">Row distance of B as stored: ≥ max(1, n), or max(1, k) when <paramref name="transB"/>.</param>
    /// <param name="beta">Scale of the previous C.</param>
    /// <param name="c">Output matrix.</param>
    /// <param name="ldc">Row distance of C, ≥ max(1, n).</param>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative or a leading dimension is too small.</exception>
    /// <exception cref="ArgumentNullException">A pointer is null while its matrix is not empty.</exception>
    public void Gemm(bool transA, bool transB, int m, int n, int k, double alpha, double* a, int lda, double* b, int ldb, double beta, double* c, int ldc)
    {
        CheckGemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
        _native.Dgemm(CblasOrder.RowMajor, Transpose(transA), Transpose(transB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    private static CblasTranspose Transpose(bool transpose) => transpose ? CblasTranspose.Trans : CblasTranspose.NoTrans;

    /// <summary>
    /// Validates a gemv call (names match the public parameters) and completes it when op(A) has no columns:
    /// then y ← beta·y (beta = 0 writes zeros without reading y).
    /// </summary>
    /// <returns>Whether the native call is still needed.</returns>
    private static bool PrepareGemv<T>(bool transpose, int m, int n, T* a, int lda, T* x, int incX, T beta, T* y, int incY)
        where T : unmanaged, INumber<T>
    {
        BlasArguments.Count(m);
        BlasArguments.Count(n);
        BlasArguments.Matrix(m, n, a, lda);
        (int inner, int outer) = transpose ? (m, n) : (n, m);
        BlasArguments.Vector(inner, x, incX);
        BlasArguments.Vector(outer, y, incY);
        if (inner > 0)
        {
            return true;
        }

        for (long i = 0, step = Math.Abs((long)incY); i < outer; i++)
        {
            y[i * step] = T.IsZero(beta) ? T.Zero : beta * y[i * step];
        }

        return false;
    }

    /// <summary>Validates a gemm call (names match the public parameters).</summary>
    private static void CheckGemm(bool transA, bool transB, int m, int n, int k, void* a, int lda, void* b, int ldb, void* c, int ldc)
    {
        BlasArguments.Count(m);
        BlasArguments.Count(n);
        BlasArguments.Count(k);
        if (transA)
        {
            BlasArguments.Matrix(k, m, a, lda);
        }
        else
        {
            BlasArguments.Matrix(m, k, a, lda);
        }

        if (transB)
        {
            BlasArguments.Matrix(n, k, b, ldb);
        }
        else
        {
            BlasArguments.Matrix(k, n, b, ldb);
        }

        BlasArguments.Matrix(m, n, c, ldc);
    }
}
