using System.Numerics;
using MathNet.Numerics.LinearAlgebra.Factorization;
using MathNet.Numerics.Providers.LinearAlgebra;

namespace BnNative.MathNet;

/// <content>float: the accelerated operations on the native library, the rest delegated to MathNet's managed provider.</content>
public sealed partial class CblasLinearAlgebraProvider
{
    /// <summary>result ← y + alpha·x over float arrays (<c>cblas_saxpy</c> on a copy of y).</summary>
    /// <param name="y">The vector added to.</param>
    /// <param name="alpha">Scale of <paramref name="x"/>; 0 copies <paramref name="y"/> without reading <paramref name="x"/>.</param>
    /// <param name="x">The vector scaled; same length as <paramref name="y"/>.</param>
    /// <param name="result">Output, same length; may be <paramref name="x"/> or <paramref name="y"/>.</param>
    /// <exception cref="ArgumentNullException">An array is null.</exception>
    /// <exception cref="ArgumentException">The lengths differ (the exception names the array that differs from <paramref name="y"/>).</exception>
    public void AddVectorToScaledVector(float[] y, float alpha, float[] x, float[] result) => AddScaled(y, alpha, x, result);

    /// <summary>result ← alpha·x over float arrays (<c>cblas_sscal</c> on a copy of x).</summary>
    /// <param name="alpha">The scale; 0 clears <paramref name="result"/> without reading <paramref name="x"/>, 1 copies.</param>
    /// <param name="x">The values.</param>
    /// <param name="result">Output, same length; may be <paramref name="x"/>.</param>
    /// <exception cref="ArgumentNullException">An array is null.</exception>
    /// <exception cref="ArgumentException">The lengths differ (named: <paramref name="result"/>).</exception>
    public void ScaleArray(float alpha, float[] x, float[] result) => Scale(alpha, x, result);

    /// <summary>Σ x[i]·y[i] over float arrays (<c>cblas_sdot</c>); 0 when empty.</summary>
    /// <param name="x">First vector.</param>
    /// <param name="y">Second vector, same length.</param>
    /// <returns>The dot product, accumulated in float in the library's order.</returns>
    /// <exception cref="ArgumentNullException">An array is null.</exception>
    /// <exception cref="ArgumentException">The lengths differ (named: <paramref name="y"/>).</exception>
    public float DotProduct(float[] x, float[] y) => Dot(x, y);

    /// <summary>
    /// result ← x·y for column-major float matrices (<c>cblas_sgemm</c>): x is <paramref name="rowsX"/>×<paramref name="columnsX"/>,
    /// y is <paramref name="rowsY"/>×<paramref name="columnsY"/>, result is <paramref name="rowsX"/>×<paramref name="columnsY"/>.
    /// </summary>
    /// <param name="x">Left matrix, column-major, exactly rowsX·columnsX elements.</param>
    /// <param name="rowsX">Rows of x, ≥ 0.</param>
    /// <param name="columnsX">Columns of x, ≥ 0; must equal <paramref name="rowsY"/>.</param>
    /// <param name="y">Right matrix, column-major, exactly rowsY·columnsY elements.</param>
    /// <param name="rowsY">Rows of y, ≥ 0.</param>
    /// <param name="columnsY">Columns of y, ≥ 0.</param>
    /// <param name="result">Output, exactly rowsX·columnsY elements; not read; may be x or y.</param>
    /// <exception cref="ArgumentNullException">An array is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative, or <paramref name="rowsY"/> ≠ <paramref name="columnsX"/>.</exception>
    /// <exception cref="ArgumentException">An array's length is not the product of its dimensions.</exception>
    public void MatrixMultiply(float[] x, int rowsX, int columnsX, float[] y, int rowsY, int columnsY, float[] result) =>
        Multiply(
            GemmShape.Check(Transpose.DontTranspose, Transpose.DontTranspose, x, rowsX, columnsX, y, rowsY, columnsY, result),
            Transpose.DontTranspose, Transpose.DontTranspose, 1f, x, rowsX, columnsX, y, rowsY, columnsY, 0f, result);

    /// <summary>
    /// c ← alpha·op(a)·op(b) + beta·c for column-major float matrices (<c>cblas_sgemm</c>); op(m) is m, or mᵀ for
    /// Transpose and ConjugateTranspose (the same for real numbers). op(a) is M×K, op(b) K×N and c M×N.
    /// </summary>
    /// <param name="transposeA">How a enters the product.</param>
    /// <param name="transposeB">How b enters the product.</param>
    /// <param name="alpha">Scale of the product; 0 leaves a and b unread (c ← beta·c).</param>
    /// <param name="a">Matrix a as stored, column-major, exactly rowsA·columnsA elements.</param>
    /// <param name="rowsA">Rows of a as stored, ≥ 0.</param>
    /// <param name="columnsA">Columns of a as stored, ≥ 0.</param>
    /// <param name="b">Matrix b as stored, column-major, exactly rowsB·columnsB elements.</param>
    /// <param name="rowsB">Rows of b as stored, ≥ 0.</param>
    /// <param name="columnsB">Columns of b as stored, ≥ 0.</param>
    /// <param name="beta">Scale of the previous c; 0 overwrites c without reading it (NaN in c does not propagate).</param>
    /// <param name="c">Output, exactly M·N elements; may be a or b.</param>
    /// <exception cref="ArgumentNullException">An array is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A transpose is undefined, a dimension is negative, or the columns of
    /// op(a) differ from the rows of op(b) (named: the dimension of b that is compared).</exception>
    /// <exception cref="ArgumentException">An array's length is not the product of its dimensions.</exception>
    public void MatrixMultiplyWithUpdate(
        Transpose transposeA, Transpose transposeB, float alpha, float[] a, int rowsA, int columnsA, float[] b, int rowsB, int columnsB, float beta, float[] c) =>
        Multiply(
            GemmShape.Check(transposeA, transposeB, a, rowsA, columnsA, b, rowsB, columnsB, c),
            transposeA, transposeB, alpha, a, rowsA, columnsA, b, rowsB, columnsB, beta, c);

    void ILinearAlgebraProvider<float>.ConjugateArray(float[] x, float[] result) => Managed.ConjugateArray(x, result);

    void ILinearAlgebraProvider<float>.AddArrays(float[] x, float[] y, float[] result) => Managed.AddArrays(x, y, result);

    void ILinearAlgebraProvider<float>.SubtractArrays(float[] x, float[] y, float[] result) => Managed.SubtractArrays(x, y, result);

    void ILinearAlgebraProvider<float>.PointWiseMultiplyArrays(float[] x, float[] y, float[] result) => Managed.PointWiseMultiplyArrays(x, y, result);

    void ILinearAlgebraProvider<float>.PointWiseDivideArrays(float[] x, float[] y, float[] result) => Managed.PointWiseDivideArrays(x, y, result);

    void ILinearAlgebraProvider<float>.PointWisePowerArrays(float[] x, float[] y, float[] result) => Managed.PointWisePowerArrays(x, y, result);

    double ILinearAlgebraProvider<float>.MatrixNorm(Norm norm, int rows, int columns, float[] matrix) => Managed.MatrixNorm(norm, rows, columns, matrix);

    void ILinearAlgebraProvider<float>.LUFactor(float[] data, int order, int[] ipiv) => Managed.LUFactor(data, order, ipiv);

    void ILinearAlgebraProvider<float>.LUInverse(float[] a, int order) => Managed.LUInverse(a, order);

    void ILinearAlgebraProvider<float>.LUInverseFactored(float[] a, int order, int[] ipiv) => Managed.LUInverseFactored(a, order, ipiv);

    void ILinearAlgebraProvider<float>.LUSolve(int columnsOfB, float[] a, int order, float[] b) => Managed.LUSolve(columnsOfB, a, order, b);

    void ILinearAlgebraProvider<float>.LUSolveFactored(int columnsOfB, float[] a, int order, int[] ipiv, float[] b) => Managed.LUSolveFactored(columnsOfB, a, order, ipiv, b);

    void ILinearAlgebraProvider<float>.CholeskyFactor(float[] a, int order) => Managed.CholeskyFactor(a, order);

    void ILinearAlgebraProvider<float>.CholeskySolve(float[] a, int orderA, float[] b, int columnsB) => Managed.CholeskySolve(a, orderA, b, columnsB);

    void ILinearAlgebraProvider<float>.CholeskySolveFactored(float[] a, int orderA, float[] b, int columnsB) => Managed.CholeskySolveFactored(a, orderA, b, columnsB);

    void ILinearAlgebraProvider<float>.QRFactor(float[] a, int rowsA, int columnsA, float[] q, float[] tau) => Managed.QRFactor(a, rowsA, columnsA, q, tau);

    void ILinearAlgebraProvider<float>.ThinQRFactor(float[] a, int rowsA, int columnsA, float[] r, float[] tau) => Managed.ThinQRFactor(a, rowsA, columnsA, r, tau);

    void ILinearAlgebraProvider<float>.QRSolve(float[] a, int rows, int columns, float[] b, int columnsB, float[] x, QRMethod method) => Managed.QRSolve(a, rows, columns, b, columnsB, x, method);

    void ILinearAlgebraProvider<float>.QRSolveFactored(float[] q, float[] r, int rowsA, int columnsA, float[] tau, float[] b, int columnsB, float[] x, QRMethod method) => Managed.QRSolveFactored(q, r, rowsA, columnsA, tau, b, columnsB, x, method);

    void ILinearAlgebraProvider<float>.SingularValueDecomposition(bool computeVectors, float[] a, int rowsA, int columnsA, float[] s, float[] u, float[] vt) => Managed.SingularValueDecomposition(computeVectors, a, rowsA, columnsA, s, u, vt);

    void ILinearAlgebraProvider<float>.SvdSolve(float[] a, int rowsA, int columnsA, float[] b, int columnsB, float[] x) => Managed.SvdSolve(a, rowsA, columnsA, b, columnsB, x);

    void ILinearAlgebraProvider<float>.SvdSolveFactored(int rowsA, int columnsA, float[] s, float[] u, float[] vt, float[] b, int columnsB, float[] x) => Managed.SvdSolveFactored(rowsA, columnsA, s, u, vt, b, columnsB, x);

    void ILinearAlgebraProvider<float>.EigenDecomp(bool isSymmetric, int order, float[] matrix, float[] matrixEv, Complex[] vectorEv, float[] matrixD) => Managed.EigenDecomp(isSymmetric, order, matrix, matrixEv, vectorEv, matrixD);
}
