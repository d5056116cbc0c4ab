using System.Numerics;
using BnNative.MathNet;
using BnNative.Native.Blas;
using BnNative.Tests.Blas;
using MathNet.Numerics.Providers.LinearAlgebra;
using static BnNative.Tests.MathNet.RoundingBounds;

namespace BnNative.Tests.MathNet;

/// <summary>
/// Every accelerated operation of the CBLAS provider against MathNet's managed provider on random operands, with
/// tolerances from the float32/float64 error bounds, once per installed BLAS (OpenBLAS, BLIS, reference BLAS).
/// </summary>
[Collection(NativeBlasCollection.Name)]
public sealed class CblasLinearAlgebraProviderTests
{
    /// <summary>(m, k, n): op(A) is m×k, op(B) k×n. Non-square, 1×N and N×1 results, blocked sizes, and empty ones.</summary>
    private static readonly (int M, int K, int N)[] Shapes =
        [(1, 1, 1), (1, 5, 9), (9, 5, 1), (3, 4, 5), (17, 13, 11), (64, 33, 70), (0, 3, 4), (3, 0, 4), (3, 4, 0)];

    private static readonly Transpose[] Transposes = [Transpose.DontTranspose, Transpose.Transpose, Transpose.ConjugateTranspose];

    private static readonly (double Alpha, double Beta)[] Scales = [(1, 0), (2.5, -1.5), (-0.5, 1), (0, 2)];

    [BlasTheory]
    public void MatrixMultiplyWithUpdate_AgreesWithManaged_ForEveryShapeTransposeAlphaAndBeta(BlasVendor vendor)
    {
        var provider = ProviderFor(vendor);
        MultiplyWithUpdate<double>(provider);
        MultiplyWithUpdate<float>(provider);
    }

    [BlasTheory]
    public void MatrixMultiply_AgreesWithManaged_ForEveryShape(BlasVendor vendor)
    {
        var provider = ProviderFor(vendor);
        Multiply<double>(provider);
        Multiply<float>(provider);
    }

    [BlasTheory]
    public void MatrixMultiply_HandWorkedColumnMajorProduct(BlasVendor vendor)
    {
        var provider = ProviderFor(vendor);

        // [[1,2,3],[4,5,6]]·[[7,8],[9,10],[11,12]] = [[58,64],[139,154]], every array column-major.
        double[] result = [double.NaN, double.NaN, double.NaN, double.NaN];
        provider.MatrixMultiply([1, 4, 2, 5, 3, 6], 2, 3, [7, 9, 11, 8, 10, 12], 3, 2, result);
        Assert.Equal([58d, 139, 64, 154], result);

        // A stored 3×2 and B stored 2×3, both transposed: the same product, times 2, minus C = 1.
        float[] c = [1, 1, 1, 1];
        provider.MatrixMultiplyWithUpdate(Transpose.Transpose, Transpose.Transpose, 2f, [1, 2, 3, 4, 5, 6], 3, 2, [7, 8, 9, 10, 11, 12], 2, 3, -1f, c);
        Assert.Equal([115f, 277, 127, 307], c);
    }

    [BlasTheory]
    public void MatrixMultiplyWithUpdate_BetaZeroDoesNotReadC_AndAlphaZeroDoesNotReadAOrB(BlasVendor vendor)
    {
        var provider = ProviderFor(vendor);
        double[] c = [double.NaN, double.NaN, double.NaN, double.NaN];
        provider.MatrixMultiplyWithUpdate(Transpose.DontTranspose, Transpose.DontTranspose, 1, [1, 0, 0, 1], 2, 2, [1, 2, 3, 4], 2, 2, 0, c);
        Assert.Equal([1d, 2, 3, 4], c);

        float[] cf = [1, 2, 3, 4];
        provider.MatrixMultiplyWithUpdate(Transpose.Transpose, Transpose.DontTranspose, 0f, [float.NaN, 0, 0, 1], 2, 2, [1, 2, float.NaN, 4], 2, 2, 3f, cf);
        Assert.Equal([3f, 6, 9, 12], cf);

        // k = 0 and beta = 0: C is cleared, NaN included.
        double[] empty = [double.NaN, 5];
        provider.MatrixMultiplyWithUpdate(Transpose.DontTranspose, Transpose.DontTranspose, 1, [], 2, 0, [], 0, 1, 0, empty);
        Assert.Equal([0d, 0], empty);
    }

    [BlasTheory]
    public void MatrixMultiplyWithUpdate_ResultMayBeAnOperand(BlasVendor vendor)
    {
        var provider = ProviderFor(vendor);
        foreach (bool left in (bool[])[true, false])
        {
            double[] a = Random<double>(36, 3);
            double[] b = Random<double>(36, 4);
            double[] expected = left ? [.. a] : [.. b];
            ManagedOf<double>().MatrixMultiplyWithUpdate(Transpose.Transpose, Transpose.DontTranspose, 1.5, a, 6, 6, b, 6, 6, -2, expected);
            double[] c0 = left ? [.. a] : [.. b];
            double[] aliased = left ? a : b;
            provider.MatrixMultiplyWithUpdate(Transpose.Transpose, Transpose.DontTranspose, 1.5, a, 6, 6, b, 6, 6, -2, aliased);
            double[] a0 = left ? c0 : a;
            double[] b0 = left ? b : c0;
            AssertGemmClose(Transpose.Transpose, Transpose.DontTranspose, 1.5, a0, 6, 6, b0, 6, 6, -2d, c0, expected, aliased);
        }
    }

    [BlasTheory]
    public void AddVectorToScaledVector_AgreesWithManaged_IncludingAliasedResults(BlasVendor vendor)
    {
        var provider = ProviderFor(vendor);
        AddScaled<double>(provider);
        AddScaled<float>(provider);
    }

    [BlasTheory]
    public void ScaleArray_AgreesWithManaged_AndAlphaZeroClearsWithoutReadingX(BlasVendor vendor)
    {
        var provider = ProviderFor(vendor);
        Scale<double>(provider);
        Scale<float>(provider);
        double[] result = [7, 7];
        provider.ScaleArray(0, [double.NaN, double.PositiveInfinity], result);
        Assert.Equal([0d, 0], result);
    }

    [BlasTheory]
    public void DotProduct_AgreesWithManaged(BlasVendor vendor)
    {
        var provider = ProviderFor(vendor);
        Dot<double>(provider);
        Dot<float>(provider);
    }

    [BlasTheory]
    public void DelegatedOperations_GiveTheManagedProvidersResults(BlasVendor vendor)
    {
        ILinearAlgebraProvider provider = ProviderFor(vendor);
        ILinearAlgebraProvider managed = ManagedLinearAlgebraProvider.Instance;

        // The same managed code runs, so the results are identical, bit for bit.
        double[] a = Random<double>(16, 7);
        double[] b = Random<double>(8, 8);
        double[] viaProvider = [.. b];
        double[] viaManaged = [.. b];
        ((ILinearAlgebraProvider<double>)provider).LUSolve(2, [.. a], 4, viaProvider);
        ((ILinearAlgebraProvider<double>)managed).LUSolve(2, [.. a], 4, viaManaged);
        Assert.Equal(viaManaged, viaProvider);

        Complex[] x = [new(1, 2), new(3, -1), new(0, 1), new(-2, 0)];
        Complex[] productViaProvider = new Complex[4];
        Complex[] productViaManaged = new Complex[4];
        ((ILinearAlgebraProvider<Complex>)provider).MatrixMultiply(x, 2, 2, x, 2, 2, productViaProvider);
        ((ILinearAlgebraProvider<Complex>)managed).MatrixMultiply(x, 2, 2, x, 2, 2, productViaManaged);
        Assert.Equal(productViaManaged, productViaProvider);

        float[] f = Random<float>(5, 9);
        float[] pointwiseViaProvider = new float[5];
        float[] pointwiseViaManaged = new float[5];
        ((ILinearAlgebraProvider<float>)provider).PointWiseMultiplyArrays(f, f, pointwiseViaProvider);
        ((ILinearAlgebraProvider<float>)managed).PointWiseMultiplyArrays(f, f, pointwiseViaManaged);
        Assert.Equal(pointwiseViaManaged, pointwiseViaProvider);
    }

    [BlasTheory]
    public void InitializeVerify_Passes_AndTheProviderDescribesItsLibrary(BlasVendor vendor)
    {
        var library = CblasLibrary.Load(vendor);
        var provider = new CblasLinearAlgebraProvider(library);
        provider.InitializeVerify();
        Assert.True(provider.IsAvailable());
        Assert.Same(library, provider.Library);
        Assert.Equal(MatrixMultiplyBackend.Cblas, provider.MultiplyBackend);
        Assert.Contains(library.Path, provider.ToString(), StringComparison.Ordinal);
    }

    private static ILinearAlgebraProvider<T> ManagedOf<T>()
        where T : struct, IEquatable<T>, IFormattable =>
        (ILinearAlgebraProvider<T>)(ILinearAlgebraProvider)ManagedLinearAlgebraProvider.Instance;

    private static void MultiplyWithUpdate<T>(ILinearAlgebraProvider<T> provider)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int seed = 1;
        foreach (var (m, k, n) in Shapes)
        {
            foreach (var transposeA in Transposes)
            {
                foreach (var transposeB in Transposes)
                {
                    foreach (var (alphaValue, betaValue) in Scales)
                    {
                        (int rowsA, int columnsA) = transposeA == Transpose.DontTranspose ? (m, k) : (k, m);
                        (int rowsB, int columnsB) = transposeB == Transpose.DontTranspose ? (k, n) : (n, k);
                        T alpha = T.CreateTruncating(alphaValue);
                        T beta = T.CreateTruncating(betaValue);
                        T[] a = Random<T>(m * k, seed++);
                        T[] b = Random<T>(k * n, seed++);
                        T[] c0 = Random<T>(m * n, seed++);
                        T[] expected = [.. c0];
                        T[] actual = [.. c0];
                        ManagedOf<T>().MatrixMultiplyWithUpdate(transposeA, transposeB, alpha, a, rowsA, columnsA, b, rowsB, columnsB, beta, expected);
                        provider.MatrixMultiplyWithUpdate(transposeA, transposeB, alpha, a, rowsA, columnsA, b, rowsB, columnsB, beta, actual);
                        AssertGemmClose(transposeA, transposeB, alpha, a, rowsA, columnsA, b, rowsB, columnsB, beta, c0, expected, actual);
                    }
                }
            }
        }
    }

    private static void Multiply<T>(ILinearAlgebraProvider<T> provider)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int seed = 100;
        foreach (var (m, k, n) in Shapes)
        {
            T[] x = Random<T>(m * k, seed++);
            T[] y = Random<T>(k * n, seed++);
            T[] expected = new T[m * n];
            T[] actual = Enumerable.Repeat(T.NaN, m * n).ToArray();
            ManagedOf<T>().MatrixMultiply(x, m, k, y, k, n, expected);
            provider.MatrixMultiply(x, m, k, y, k, n, actual);
            AssertGemmClose(Transpose.DontTranspose, Transpose.DontTranspose, T.One, x, m, k, y, k, n, T.Zero, new T[m * n], expected, actual);
        }
    }

    private static void AddScaled<T>(ILinearAlgebraProvider<T> provider)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int seed = 200;
        foreach (int length in (int[])[0, 1, 7, 1000])
        {
            foreach (double alphaValue in (double[])[0, 1, -2.5])
            {
                T alpha = T.CreateTruncating(alphaValue);
                T[] y = Random<T>(length, seed++);
                T[] x = Random<T>(length, seed++);
                T[] expected = new T[length];
                ManagedOf<T>().AddVectorToScaledVector(y, alpha, x, expected);
                double[] magnitude = [.. Enumerable.Range(0, length).Select(i => Math.Abs(D(y[i])) + Math.Abs(alphaValue * D(x[i])))];

                T[] separate = new T[length];
                provider.AddVectorToScaledVector(y, alpha, x, separate);
                AssertClose(expected, separate, magnitude, 3);

                T[] intoY = [.. y];
                provider.AddVectorToScaledVector(intoY, alpha, x, intoY);
                AssertClose(expected, intoY, magnitude, 3);

                T[] intoX = [.. x];
                provider.AddVectorToScaledVector(y, alpha, intoX, intoX);
                AssertClose(expected, intoX, magnitude, 3);
            }
        }

        // x, y and result all one array: result = x + alpha·x.
        T[] same = Random<T>(9, 300);
        T[] sameExpected = new T[9];
        ManagedOf<T>().AddVectorToScaledVector(same, T.CreateTruncating(0.5), same, sameExpected);
        double[] sameMagnitude = [.. same.Select(v => 1.5 * Math.Abs(D(v)))];
        provider.AddVectorToScaledVector(same, T.CreateTruncating(0.5), same, same);
        AssertClose(sameExpected, same, sameMagnitude, 3);
    }

    private static void Scale<T>(ILinearAlgebraProvider<T> provider)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int seed = 400;
        foreach (int length in (int[])[0, 1, 7, 1000])
        {
            foreach (double alphaValue in (double[])[0, 1, 3.25, -1e-3])
            {
                T alpha = T.CreateTruncating(alphaValue);
                T[] x = Random<T>(length, seed++);
                T[] expected = new T[length];
                ManagedOf<T>().ScaleArray(alpha, x, expected);
                double[] magnitude = [.. x.Select(v => Math.Abs(alphaValue * D(v)))];

                T[] actual = new T[length];
                provider.ScaleArray(alpha, x, actual);
                AssertClose(expected, actual, magnitude, 1);

                provider.ScaleArray(alpha, x, x);
                AssertClose(expected, x, magnitude, 1);
            }
        }
    }

    private static void Dot<T>(ILinearAlgebraProvider<T> provider)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int seed = 500;
        foreach (int length in (int[])[0, 1, 7, 1000, 4099])
        {
            T[] x = Random<T>(length, seed++);
            T[] y = Random<T>(length, seed++);
            T expected = ManagedOf<T>().DotProduct(x, y);
            T actual = provider.DotProduct(x, y);
            double magnitude = x.Zip(y).Sum(p => Math.Abs(D(p.First) * D(p.Second)));
            AssertClose([expected], [actual], [magnitude], 2 * (length + 2));
        }
    }

    private static CblasLinearAlgebraProvider ProviderFor(BlasVendor vendor) => new(CblasLibrary.Load(vendor));
}
