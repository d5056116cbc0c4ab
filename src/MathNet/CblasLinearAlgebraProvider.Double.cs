using System.Numerics;
using MathNet.Numerics.LinearAlgebra.Factorization;
using MathNet.Numerics.Providers.LinearAlgebra;

namespace BnNative.MathNet;

/// <content>double: the accelerated operations on the native library, the rest delegated to MathNet's managed provider.</content>
public sealed partial class CblasLinearAlgebraProvider
{
    /// <summary>result ← y + alpha·x over double arrays (<c>cblas_daxpy</c> on a copy of y).</summary>
    /// <param name="y">The vector added to.</param>
    /// <param name="alpha">Scale of <paramref name="x"/>; 0 copies <paramref name="y"/> without reading <paramref name="x"/>.</param>
    /// <param name="x">The vector scaled; same length as <paramref name="y"/>.</param>
    /// <param name="result">Output, same length; may be <paramref name="x"/> or <paramref name="y"/>.</param>
    /// <exception cref="ArgumentNullException">An array is null.</exception>
    /// <exception cref="ArgumentException">The lengths differ (the exception names the array that differs from <paramref name="y"/>).</exception>
    public void AddVectorToScaledVector(double[] y, double alpha, double[] x, double[] result) => AddScaled(y, alpha, x, result);

    /// <summary>result ← alpha·x over double arrays (<c>cblas_dscal</c> on a copy of x).</summary>
    /// <param name="alpha">The scale; 0 clears <paramref name="result"/> without reading <paramref name="x"/>, 1 copies.</param>
    /// <param name="x">The values.</param>
    /// <param name="result">Output, same length; may be <paramref name="x"/>.</param>
    /// <exception cref="ArgumentNullException">An array is null.</exception>
    /// <exception cref="ArgumentException">The lengths differ (named: <paramref name="result"/>).</exception>
    public void ScaleArray(double alpha, double[] x, double[] result) => Scale(alpha, x, result);

    /// <summary>Σ x[i]·y[i] over double arrays (<c>cblas_ddot</c>); 0 when empty.</summary>
    /// <param name="x">First vector.</param>
    /// <param name="y">Second vector, same length.</param>
    /// <returns>The dot product, accumulated in double in the library's order.</returns>
    /// <exception cref="ArgumentNullException">An array is null.</exception>
    /// <exception cref="ArgumentException">The lengths differ (named: <paramref name="y"/>).</exception>
    public double DotProduct(double[] x, double[] y) => Dot(x, y);

    /// <summary>
    /// result ← x·y for column-major double matrices (<c>cblas_dgemm</c>): x is <paramref name="rowsX"/>×<paramref name="columnsX"/>,
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
    public void MatrixMultiply(double[] x, int rowsX, int columnsX, double[] y, int rowsY, int columnsY, double[] result) =>
        Multiply(
            GemmShape.Check(Transpose.DontTranspose, Transpose.DontTranspose, x, rowsX, columnsX, y, rowsY, columnsY, result),
            Transpose.DontTranspose, Transpose.DontTranspose, 1.0, x, rowsX, columnsX, y, rowsY, columnsY, 0.0, result);

    /// <summary>
    /// c ← alpha·op(a)·op(b) + beta·c for column-major double matrices (<c>cblas_dgemm</c>); op(m) is m, or mᵀ for
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
        Transpose transposeA, Transpose transposeB, double alpha, double[] a, int rowsA, int columnsA, double[] b, int rowsB, int columnsB, double beta, double[] c) =>
        Multiply(
            GemmShape.Check(transposeA, transposeB, a, rowsA, columnsA, b, rowsB, columnsB, c),
            transposeA, transposeB, alpha, a, rowsA, columnsA, b, rowsB, columnsB, beta, c);

    void ILinearAlgebraProvider<double>.ConjugateArray(double[] x, double[] result) => Managed.ConjugateArray(x, result);

    void ILinearAlgebraProvider<double>.AddArrays(double[] x, double[] y, double[] result) => Managed.AddArrays(x, y, result);

    void ILinearAlgebraProvider<double>.SubtractArrays(double[] x, double[] y, double[] result) => Managed.SubtractArrays(x, y, result);

    void ILinearAlgebraProvider<double>.PointWiseMultiplyArrays(double[] x, double[] y, double[] result) => Managed.PointWiseMultiplyArrays(x, y, result);

    void ILinearAlgebraProvider<double>.PointWiseDivideArrays(double[] x, double[] y, double[] result) => Managed.PointWiseDivideArrays(x, y, result);

    void ILinearAlgebraProvider<double>.PointWisePowerArrays(double[] x, double[] y, double[] result) => Managed.PointWisePowerArrays(x, y, result);

    double ILinearAlgebraProvider<double>.MatrixNorm(Norm norm, int rows, int columns, double[] matrix) => Managed.MatrixNorm(norm, rows, columns, matrix);

    void ILinearAlgebraProvider<double>.LUFactor(double[] data, int order, int[] ipiv) => Managed.LUFactor(data, order, ipiv);

    void ILinearAlgebraProvider<double>.LUInverse(double[] a, int order) => Managed.LUInverse(a, order);

    void ILinearAlgebraProvider<double>.LUInverseFactored(double[] a, int order, int[] ipiv) => Managed.LUInverseFactored(a, order, ipiv);

    void ILinearAlgebraProvider<double>.LUSolve(int columnsOfB, double[] a, int order, double[] b) => Managed.LUSolve(columnsOfB, a, order, b);

    void ILinearAlgebraProvider<double>.LUSolveFactored(int columnsOfB, double[] a, int order, int[] ipiv, double[] b) => Managed.LUSolveFactored(columnsOfB, a, order, ipiv, b);

    void ILinearAlgebraProvider<double>.CholeskyFactor(double[] a, int order) => Managed.CholeskyFactor(a, order);

    void ILinearAlgebraProvider<double>.CholeskySolve(double[] a, int orderA, double[] b, int columnsB) => Managed.CholeskySolve(a, orderA, b, columnsB);

    void ILinearAlgebraProvider<double>.CholeskySolveFactored(double[] a, int orderA, double[] b, int columnsB) => Managed.CholeskySolveFactored(a, orderA, b, columnsB);

    void ILinearAlgebraProvider<double>.QRFactor(double[] a, int rowsA, int columnsA, double[] q, double[] tau) => Managed.QRFactor(a, rowsA, columnsA, q, tau);

    void ILinearAlgebraProvider<double>.ThinQRFactor(double[] a, int rowsA, int columnsA, double[] r, double[] tau) => Managed.ThinQRFactor(a, rowsA, columnsA, r, tau);

    void ILinearAlgebraProvider<double>.QRSolve(double[] a, int rows, int columns, double[] b, int columnsB, double[] x, QRMethod method) => Managed.QRSolve(a, rows, columns, b, columnsB, x, method);

    void ILinearAlgebraProvider<double>.QRSolveFactored(double[] q, double[] r, int rowsA, int columnsA, double[] tau, double[] b, int columnsB, double[] x, QRMethod method) => Managed.QRSolveFactored(q, r, rowsA, columnsA, tau, b, columnsB, x, method);

    void ILinearAlgebraProvider<double>.SingularValueDecomposition(bool computeVectors, double[] a, int rowsA, int columnsA, double[] s, double[] u, double[] vt) => Managed.SingularValueDecomposition(computeVectors, a, rowsA, columnsA, s, u, vt);

    void ILinearAlgebraProvider<double>.SvdSolve(double[] a, int rowsA, int columnsA, double[] b, int columnsB, double[] x) => Managed.SvdSolve(a, rowsA, columnsA, b, columnsB, x);

    void ILinearAlgebraProvider<double>.SvdSolveFactored(int rowsA, int columnsA, double[] s, double[] u, double[] vt, double[] b, int columnsB, double[] x) => Managed.SvdSolveFactored(rowsA, columnsA, s, u, vt, b, columnsB, x);

    void ILinearAlgebraProvider<double>.EigenDecomp(bool isSymmetric, int order, double[] matrix, double[] matrixEv, Complex[] vectorEv, double[] matrixD) => Managed.EigenDecomp(isSymmetric, order, matrix, matrixEv, vectorEv, matrixD);
}
