using BnNative.Native.Blas;
using static BnNative.Tests.Blas.BlasVectors;

namespace BnNative.Tests.Blas;

[Collection(NativeBlasCollection.Name)]
public sealed unsafe class CblasLibraryVectorTests
{
    private const long N = 11;

    /// <summary>Positive, negative and mixed increments.</summary>
    private static readonly (long IncX, long IncY)[] Increments = [(1, 1), (2, -1), (-3, 2), (-1, -1)];

    /// <summary>Elements per native call: 1, uneven pieces, even-ish pieces, and no split at all.</summary>
    private static readonly int[] PerCall = [1, 3, 4, CblasLibrary.MaxElementsPerCall];

    /// <summary>n, incX, incY and x·y for x = [1,2,3,4,5], y = [6,7,8,9,10].</summary>
    private static readonly (long N, long IncX, long IncY, double Expected)[] DotCases =
    [
        (5, 1, 1, 130),  // 6 + 14 + 24 + 36 + 50
        (3, 2, 1, 67),   // [1,3,5]·[6,7,8]
        (3, -1, 1, 40),  // [3,2,1]·[6,7,8]
        (2, -2, -1, 27), // [3,1]·[7,6]
        (0, 1, 1, 0),
    ];

    [BlasTheory]
    public void Dot_HandWorkedCases(BlasVendor vendor)
    {
        var blas = CblasLibrary.Load(vendor);
        float[] xf = [1, 2, 3, 4, 5], yf = [6, 7, 8, 9, 10];
        double[] xd = ToDouble(xf), yd = ToDouble(yf);
        fixed (float* x = xf, y = yf)
        fixed (double* xx = xd, yy = yd)
        {
            foreach (var (n, incX, incY, expected) in DotCases)
            {
                Assert.Equal((float)expected, blas.Dot(n, x, incX, y, incY));
                Assert.Equal(expected, blas.Dot(n, xx, incX, yy, incY));
                Assert.Equal(expected, blas.DotDoubleAccumulate(n, x, incX, y, incY));
            }

            Assert.Equal(0f, blas.Dot(0, (float*)null, 1, null, 1));
        }
    }

    [BlasTheory]
    public void DotDoubleAccumulate_KeepsWhatFloatAccumulationLoses(BlasVendor vendor)
    {
        var blas = CblasLibrary.Load(vendor);
        float[] xf = [1e8f, 1f, -1e8f], yf = [1f, 1f, 1f];
        fixed (float* x = xf, y = yf)
        {
            Assert.Equal(1d, blas.DotDoubleAccumulate(3, x, 1, y, 1));
        }
    }

    [BlasTheory]
    public void Axpy_Scal_Copy_HandWorkedCases(BlasVendor vendor)
    {
        var blas = CblasLibrary.Load(vendor);
        float[] xf = [1, 2, 3], yf = [10, 20, 30];
        double[] xd = [1, 2, 3], yd = [10, 20, 30];
        fixed (float* x = xf, y = yf)
        fixed (double* xx = xd, yy = yd)
        {
            blas.Axpy(3, 2f, x, -1, y, 1);
            blas.Axpy(3, 2d, xx, -1, yy, 1);
        }

        Assert.Equal([16f, 24f, 32f], yf); // y + 2·[3,2,1]
        Assert.Equal([16d, 24d, 32d], yd);

        float[] sf = [1, 2, 3, 4];
        double[] sd = [1, 2, 3, 4];
        fixed (float* s = sf)
        fixed (double* ss = sd)
        {
            blas.Scal(2, 3f, s, 2);
            blas.Scal(2, 3d, ss, -2); // same elements as +2: BLAS itself would skip a negative increment
        }

        Assert.Equal([3f, 2f, 9f, 4f], sf);
        Assert.Equal([3d, 2d, 9d, 4d], sd);

        float[] cf = new float[5];
        double[] cd = new double[3];
        fixed (float* x = xf, c = cf)
        fixed (double* xx = xd, cc = cd)
        {
            blas.Copy(3, x, 1, c, 2);
            blas.Copy(3, xx, -1, cc, 1);
        }

        Assert.Equal([1f, 0f, 2f, 0f, 3f], cf);
        Assert.Equal([3d, 2d, 1d], cd);
    }

    [BlasTheory]
    public void Dot_SplitIntoPieces_EqualsOneCallAndTheDefinition(BlasVendor vendor)
    {
        var blas = CblasLibrary.Load(vendor);
        foreach (var (incX, incY) in Increments)
        {
            double[] xd = Data(N, incX, 3), yd = Data(N, incY, 5);
            float[] xf = ToFloat(xd), yf = ToFloat(yd);
            double expected = BlasVectors.Dot(N, xd, incX, yd, incY);
            fixed (float* x = xf, y = yf)
            fixed (double* xx = xd, yy = yd)
            {
                foreach (int perCall in PerCall)
                {
                    Assert.Equal((float)expected, blas.Dot(N, x, incX, y, incY, perCall));
                    Assert.Equal(expected, blas.Dot(N, xx, incX, yy, incY, perCall));
                    Assert.Equal(expected, blas.DotDoubleAccumulate(N, x, incX, y, incY, perCall));
                }
            }
        }
    }

    [BlasTheory]
    public void Axpy_SplitIntoPieces_EqualsOneCallAndTheDefinition(BlasVendor vendor)
    {
        var blas = CblasLibrary.Load(vendor);
        AssertPairUpdatesMatch(
            (x, incX, y, incY) => BlasVectors.Axpy(N, -2, x, incX, y, incY),
            (x, incX, y, incY, perCall) => blas.Axpy(N, -2f, (float*)x, incX, (float*)y, incY, perCall),
            (x, incX, y, incY, perCall) => blas.Axpy(N, -2d, (double*)x, incX, (double*)y, incY, perCall));
    }

    [BlasTheory]
    public void Copy_SplitIntoPieces_EqualsOneCallAndTheDefinition(BlasVendor vendor)
    {
        var blas = CblasLibrary.Load(vendor);
        AssertPairUpdatesMatch(
            (x, incX, y, incY) => BlasVectors.Copy(N, x, incX, y, incY),
            (x, incX, y, incY, perCall) => blas.Copy(N, (float*)x, incX, (float*)y, incY, perCall),
            (x, incX, y, incY, perCall) => blas.Copy(N, (double*)x, incX, (double*)y, incY, perCall));
    }

    [BlasTheory]
    public void Scal_SplitIntoPieces_EqualsOneCallAndTheDefinition(BlasVendor vendor)
    {
        var blas = CblasLibrary.Load(vendor);
        foreach (long inc in (long[])[1, 3, -1, -2])
        {
            double[] expected = BlasVectors.Scal(N, -3, Data(N, inc, 3), inc);
            foreach (int perCall in PerCall)
            {
                double[] xd = Data(N, inc, 3);
                float[] xf = ToFloat(xd);
                fixed (float* x = xf)
                fixed (double* xx = xd)
                {
                    blas.Scal(N, -3f, x, inc, perCall);
                    blas.Scal(N, -3d, xx, inc, perCall);
                }

                Assert.Equal(expected, xd);
                Assert.Equal(ToFloat(expected), xf);
            }
        }
    }

    /// <summary>
    /// For every increment pair and piece size, runs an operation that updates y from x in float and in double,
    /// and compares both with the managed definition.
    /// </summary>
    private static void AssertPairUpdatesMatch(
        Func<double[], long, double[], long, double[]> definition,
        Action<nint, long, nint, long, int> inFloat,
        Action<nint, long, nint, long, int> inDouble)
    {
        foreach (var (incX, incY) in Increments)
        {
            double[] xd = Data(N, incX, 3), expected = definition(xd, incX, Data(N, incY, 5), incY);
            float[] xf = ToFloat(xd);
            foreach (int perCall in PerCall)
            {
                double[] yd = Data(N, incY, 5);
                float[] yf = ToFloat(yd);
                fixed (float* x = xf, y = yf)
                fixed (double* xx = xd, yy = yd)
                {
                    inFloat((nint)x, incX, (nint)y, incY, perCall);
                    inDouble((nint)xx, incX, (nint)yy, incY, perCall);
                }

                Assert.Equal(expected, yd);
                Assert.Equal(ToFloat(expected), yf);
            }
        }
    }
}
