using System.Runtime.InteropServices;
using BnNative.Native.Blas;

namespace BnNative.Tests.Blas;

/// <summary>Every wrapper rejects bad sizes before native code runs, naming the parameter.</summary>
[Collection(NativeBlasCollection.Name)]
public sealed unsafe class CblasLibraryArgumentTests : IDisposable
{
    private const long TooLargeIncrement = int.MaxValue + 1L;

    private readonly float* _f = (float*)NativeMemory.AllocZeroed(64, sizeof(float));
    private readonly double* _d = (double*)NativeMemory.AllocZeroed(64, sizeof(double));

    public void Dispose()
    {
        NativeMemory.Free(_f);
        NativeMemory.Free(_d);
    }

    private static void AssertOutOfRange(params (Action Call, string Parameter)[] cases)
    {
        foreach (var (call, parameter) in cases)
        {
            Assert.Equal(parameter, Assert.Throws<ArgumentOutOfRangeException>(call).ParamName);
        }
    }

    [BlasTheory]
    public void Level1_RejectsBadCountsIncrementsAndPointers(BlasVendor vendor)
    {
        var blas = CblasLibrary.Load(vendor);
        AssertOutOfRange(
            (() => blas.Dot(-1, _f, 1, _f, 1), "n"),
            (() => blas.Dot(2, _d, 0, _d, 1), "incX"),
            (() => blas.DotDoubleAccumulate(2, _f, 1, _f, 0), "incY"),
            (() => blas.Axpy(2, 1f, _f, TooLargeIncrement, _f, 1), "incX"),
            (() => blas.Axpy(2, 1d, _d, 1, _d, -TooLargeIncrement), "incY"),
            (() => blas.Scal(2, 1f, _f, 0), "incX"),
            (() => blas.Scal(-5, 1d, _d, 1), "n"),
            (() => blas.Copy(2, _f, 1, _f, 0), "incY"),
            (() => blas.Copy(long.MaxValue / 2, _d, 4, _d, 1), "incX"),
            (() => blas.Dot(2, _f, 1, _f, 1, maxPerCall: 0), "maxPerCall"),
            (() => blas.Scal(2, 1d, _d, 1, maxPerCall: -1), "maxPerCall"));

        Assert.Equal("x", Assert.Throws<ArgumentNullException>(() => blas.Dot(1, (double*)null, 1, _d, 1)).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentNullException>(() => blas.Copy(1, _f, 1, null, 1)).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentNullException>(() => blas.Scal(1, 2f, null, 1)).ParamName);
    }

    [BlasTheory]
    public void Gemv_RejectsBadShapes(BlasVendor vendor)
    {
        var blas = CblasLibrary.Load(vendor);
        AssertOutOfRange(
            (() => blas.Gemv(false, -1, 3, 1f, _f, 3, _f, 1, 0f, _f, 1), "m"),
            (() => blas.Gemv(true, 2, -3, 1d, _d, 3, _d, 1, 0d, _d, 1), "n"),
            (() => blas.Gemv(false, 2, 3, 1f, _f, 2, _f, 1, 0f, _f, 1), "lda"),
            (() => blas.Gemv(true, 0, 0, 1d, _d, 0, _d, 1, 0d, _d, 1), "lda"),
            (() => blas.Gemv(false, 2, 3, 1f, _f, 3, _f, 0, 0f, _f, 1), "incX"),
            (() => blas.Gemv(true, 2, 3, 1d, _d, 3, _d, 1, 0d, _d, 0), "incY"));

        Assert.Equal("a", Assert.Throws<ArgumentNullException>(() => blas.Gemv(false, 2, 3, 1f, null, 3, _f, 1, 0f, _f, 1)).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentNullException>(() => blas.Gemv(true, 2, 3, 1d, _d, 3, null, 1, 0d, _d, 1)).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentNullException>(() => blas.Gemv(false, 2, 3, 1f, _f, 3, _f, 1, 0f, null, 1)).ParamName);
    }

    [BlasTheory]
    public void Gemm_RejectsBadShapes(BlasVendor vendor)
    {
        var blas = CblasLibrary.Load(vendor);
        AssertOutOfRange(
            (() => blas.Gemm(false, false, -1, 2, 3, 1f, _f, 3, _f, 2, 0f, _f, 2), "m"),
            (() => blas.Gemm(false, false, 2, -2, 3, 1d, _d, 3, _d, 2, 0d, _d, 2), "n"),
            (() => blas.Gemm(false, false, 2, 2, -3, 1f, _f, 3, _f, 2, 0f, _f, 2), "k"),
            (() => blas.Gemm(false, false, 2, 2, 3, 1d, _d, 2, _d, 2, 0d, _d, 2), "lda"),   // A is 2×3: lda ≥ 3
            (() => blas.Gemm(true, false, 4, 2, 3, 1f, _f, 3, _f, 2, 0f, _f, 2), "lda"),    // Aᵀ stored 3×4: lda ≥ 4
            (() => blas.Gemm(false, false, 2, 2, 3, 1d, _d, 3, _d, 1, 0d, _d, 2), "ldb"),   // B is 3×2: ldb ≥ 2
            (() => blas.Gemm(false, true, 2, 2, 3, 1f, _f, 3, _f, 2, 0f, _f, 2), "ldb"),    // Bᵀ stored 2×3: ldb ≥ 3
            (() => blas.Gemm(false, false, 2, 2, 3, 1d, _d, 3, _d, 2, 0d, _d, 1), "ldc"));

        Assert.Equal("a", Assert.Throws<ArgumentNullException>(() => blas.Gemm(false, false, 2, 2, 3, 1f, null, 3, _f, 2, 0f, _f, 2)).ParamName);
        Assert.Equal("b", Assert.Throws<ArgumentNullException>(() => blas.Gemm(false, false, 2, 2, 3, 1d, _d, 3, null, 2, 0d, _d, 2)).ParamName);
        Assert.Equal("c", Assert.Throws<ArgumentNullException>(() => blas.Gemm(true, true, 2, 2, 3, 1f, _f, 2, _f, 3, 0f, null, 2)).ParamName);
    }
}
