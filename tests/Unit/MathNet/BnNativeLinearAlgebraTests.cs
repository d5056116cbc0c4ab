using BnNative.MathNet;
using BnNative.Moments;
using BnNative.Native.Blas;
using BnNative.Tests.Blas;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Providers.LinearAlgebra;
using static BnNative.Tests.MathNet.RoundingBounds;

namespace BnNative.Tests.MathNet;

[Collection(GlobalProviderCollection.Name)]
public sealed class BnNativeLinearAlgebraTests
{
    private const string MissingLibrary = "/nonexistent/bnnative-test/libcblas.so";

    [BlasTheory]
    public void Use_InstallsAVerifiedProvider_ThatMathNetMatricesMultiplyThrough(BlasVendor vendor)
    {
        var previous = LinearAlgebraControl.Provider;
        try
        {
            var provider = BnNativeLinearAlgebra.Use(vendor.ConfigName());
            Assert.Same(provider, LinearAlgebraControl.Provider);
            Assert.Equal(vendor, provider.Library.Vendor);

            var a = Matrix<double>.Build.Dense(40, 30, Random<double>(1200, 1));
            var b = Matrix<double>.Build.Dense(30, 25, Random<double>(750, 2));
            var product = a * b;
            var transposed = a.TransposeThisAndMultiply(a);
            double[] expected = new double[40 * 25];
            double[] expectedGram = new double[30 * 30];
            ManagedLinearAlgebraProvider.Instance.MatrixMultiply(a.AsColumnMajorArray(), 40, 30, b.AsColumnMajorArray(), 30, 25, expected);
            ManagedLinearAlgebraProvider.Instance.MatrixMultiplyWithUpdate(
                Transpose.Transpose, Transpose.DontTranspose, 1.0, a.AsColumnMajorArray(), 40, 30, a.AsColumnMajorArray(), 40, 30, 0.0, expectedGram);
            AssertGemmClose(Transpose.DontTranspose, Transpose.DontTranspose, 1.0, a.AsColumnMajorArray(), 40, 30, b.AsColumnMajorArray(), 30, 25, 0.0, new double[1000], expected, product.AsColumnMajorArray());
            AssertGemmClose(Transpose.Transpose, Transpose.DontTranspose, 1.0, a.AsColumnMajorArray(), 40, 30, a.AsColumnMajorArray(), 40, 30, 0.0, new double[900], expectedGram, transposed.AsColumnMajorArray());

            var v = Vector<float>.Build.Dense(Random<float>(100, 3));
            float dot = v.DotProduct(v);
            Assert.Equal(ManagedLinearAlgebraProvider.Instance.DotProduct(v.AsArray(), v.AsArray()), dot, 3e-5f * dot);
        }
        finally
        {
            LinearAlgebraControl.Provider = previous;
        }
    }

    [Fact]
    public void TryUse_WithALibraryThatDoesNotLoad_ReturnsFalseWithTheReason_AndKeepsTheProvider()
    {
        var previous = LinearAlgebraControl.Provider;
        try
        {
            Assert.False(BnNativeLinearAlgebra.TryUse(MissingLibrary, MatrixMultiplyBackend.Cblas, out string reason));
            Assert.Contains(MissingLibrary, reason, StringComparison.Ordinal);
            Assert.Contains("not found", reason, StringComparison.Ordinal);
            Assert.Same(previous, LinearAlgebraControl.Provider);

            Assert.False(BnNativeLinearAlgebra.TryCreate(MissingLibrary, MatrixMultiplyBackend.Cblas, out var provider, out string again));
            Assert.Null(provider);
            Assert.Equal(reason, again);
        }
        finally
        {
            LinearAlgebraControl.Provider = previous;
        }
    }

    [Fact]
    public void Use_WithALibraryThatDoesNotLoad_SaysWhatToDo()
    {
        var previous = LinearAlgebraControl.Provider;
        try
        {
            var e = Assert.Throws<NativeBackendUnavailableException>(() => BnNativeLinearAlgebra.Use(MissingLibrary));
            Assert.Contains("needs a native CBLAS library", e.Message, StringComparison.Ordinal);
            Assert.Contains("BNNATIVE_BLAS", e.Message, StringComparison.Ordinal);
            Assert.Contains("LinearAlgebraControl.UseManaged()", e.Message, StringComparison.Ordinal);
            Assert.Contains(MissingLibrary, e.Message, StringComparison.Ordinal);
            Assert.IsType<BlasLibraryNotFoundException>(e.InnerException);
            Assert.Same(previous, LinearAlgebraControl.Provider);
        }
        finally
        {
            LinearAlgebraControl.Provider = previous;
        }
    }

    [Fact]
    public void Use_WithAnUnknownNameOrBackend_NamesTheParameter()
    {
        var name = Assert.Throws<ArgumentException>(() => BnNativeLinearAlgebra.Use("not-a-blas"));
        Assert.Equal("blas", name.ParamName);
        Assert.Contains("Unknown BLAS 'not-a-blas' in blas", name.Message, StringComparison.Ordinal);
        Assert.Equal("multiply", Assert.Throws<ArgumentOutOfRangeException>(() => BnNativeLinearAlgebra.Use(null, (MatrixMultiplyBackend)5)).ParamName);
        Assert.False(BnNativeLinearAlgebra.TryUse("not-a-blas", MatrixMultiplyBackend.Cblas, out string reason));
        Assert.Contains("not-a-blas", reason, StringComparison.Ordinal);
    }

    [BlasTheory]
    public void Use_AskingForMathNetsMklMultiplyOffWindowsX64_RefusesWithTheReason(BlasVendor vendor)
    {
        Assert.False(MathNetMklProvider.IsSupportedPlatform, "This test describes a platform without MathNet's MKL provider.");
        var previous = LinearAlgebraControl.Provider;
        try
        {
            var e = Assert.Throws<NativeBackendUnavailableException>(() => BnNativeLinearAlgebra.Use(vendor.ConfigName(), MatrixMultiplyBackend.MathNetMkl));
            Assert.Contains("MathNet's MKL provider runs on Windows x64 only", e.Message, StringComparison.Ordinal);
            Assert.Same(previous, LinearAlgebraControl.Provider);
            Assert.False(BnNativeLinearAlgebra.TryUse(vendor.ConfigName(), MatrixMultiplyBackend.MathNetMkl, out string reason));
            Assert.Contains("MatrixMultiplyBackend.Cblas", reason, StringComparison.Ordinal);
        }
        finally
        {
            LinearAlgebraControl.Provider = previous;
        }
    }
}
