using BnNative.MathNet;
using BnNative.Native.Blas;
using BnNative.Tests.Blas;
using MathNet.Numerics.Providers.LinearAlgebra;

namespace BnNative.Tests.MathNet;

/// <summary>
/// Every size is checked before the native call, and each exception names the parameter at fault: a BLAS given bad
/// sizes reads or writes out of bounds instead of throwing.
/// </summary>
[Collection(NativeBlasCollection.Name)]
public sealed class CblasLinearAlgebraProviderArgumentTests
{
    private const Transpose No = Transpose.DontTranspose;
    private const Transpose Yes = Transpose.Transpose;

    [BlasTheory]
    public void MatrixMultiplyWithUpdate_NamesTheArgumentAtFault(BlasVendor vendor)
    {
        var p = ProviderFor(vendor);
        double[] a = new double[6], b = new double[6], c = new double[4];

        Assert.Equal("a", Assert.Throws<ArgumentNullException>(() => p.MatrixMultiplyWithUpdate(No, No, 1, null!, 2, 3, b, 3, 2, 0, c)).ParamName);
        Assert.Equal("b", Assert.Throws<ArgumentNullException>(() => p.MatrixMultiplyWithUpdate(No, No, 1, a, 2, 3, null!, 3, 2, 0, c)).ParamName);
        Assert.Equal("c", Assert.Throws<ArgumentNullException>(() => p.MatrixMultiplyWithUpdate(No, No, 1, a, 2, 3, b, 3, 2, 0, null!)).ParamName);
        Assert.Equal("transposeA", Assert.Throws<ArgumentOutOfRangeException>(() => p.MatrixMultiplyWithUpdate((Transpose)7, No, 1, a, 2, 3, b, 3, 2, 0, c)).ParamName);
        Assert.Equal("rowsA", Assert.Throws<ArgumentOutOfRangeException>(() => p.MatrixMultiplyWithUpdate(No, No, 1, a, -2, -3, b, 3, 2, 0, c)).ParamName);

        // a is 2×3 but b is 2×3 too: the rows of op(b) (2) differ from the columns of op(a) (3).
        var inner = Assert.Throws<ArgumentOutOfRangeException>(() => p.MatrixMultiplyWithUpdate(No, No, 1, a, 2, 3, b, 2, 3, 0, new double[9]));
        Assert.Equal("rowsB", inner.ParamName);
        Assert.Contains("op(a) is 2×3 and op(b) is 2×3", inner.Message, StringComparison.Ordinal);

        // Transposed, the rows of op(b) are b's stored columns.
        Assert.Equal("columnsB", Assert.Throws<ArgumentOutOfRangeException>(() => p.MatrixMultiplyWithUpdate(No, Yes, 1, a, 2, 3, b, 3, 2, 0, new double[6])).ParamName);

        var shortA = Assert.Throws<ArgumentException>(() => p.MatrixMultiplyWithUpdate(No, No, 1, new double[5], 2, 3, b, 3, 2, 0, c));
        Assert.Equal("a", shortA.ParamName);
        Assert.Contains("a holds 5 elements but a 2×3 matrix needs 6", shortA.Message, StringComparison.Ordinal);
        Assert.Equal("c", Assert.Throws<ArgumentException>(() => p.MatrixMultiplyWithUpdate(No, No, 1f, new float[6], 2, 3, new float[6], 3, 2, 0f, new float[5])).ParamName);
    }

    [BlasTheory]
    public void MatrixMultiply_NamesItsOwnParameters(BlasVendor vendor)
    {
        var p = ProviderFor(vendor);
        Assert.Equal("x", Assert.Throws<ArgumentNullException>(() => p.MatrixMultiply(null!, 2, 3, new double[6], 3, 2, new double[4])).ParamName);
        Assert.Equal("rowsY", Assert.Throws<ArgumentOutOfRangeException>(() => p.MatrixMultiply(new float[6], 2, 3, new float[6], 2, 3, new float[9])).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => p.MatrixMultiply(new double[6], 2, 3, new double[7], 3, 2, new double[4])).ParamName);
        Assert.Equal("result", Assert.Throws<ArgumentException>(() => p.MatrixMultiply(new double[6], 2, 3, new double[6], 3, 2, new double[6])).ParamName);
    }

    [BlasTheory]
    public void VectorOperations_NameTheArrayWhoseLengthDiffers(BlasVendor vendor)
    {
        var p = ProviderFor(vendor);
        Assert.Equal("y", Assert.Throws<ArgumentNullException>(() => p.AddVectorToScaledVector(null!, 1.0, new double[2], new double[2])).ParamName);
        Assert.Equal("result", Assert.Throws<ArgumentNullException>(() => p.AddVectorToScaledVector(new double[2], 1.0, new double[2], null!)).ParamName);

        var x = Assert.Throws<ArgumentException>(() => p.AddVectorToScaledVector(new double[2], 1.0, new double[3], new double[2]));
        Assert.Equal("x", x.ParamName);
        Assert.Contains("x holds 3 elements but y holds 2", x.Message, StringComparison.Ordinal);
        Assert.Equal("result", Assert.Throws<ArgumentException>(() => p.AddVectorToScaledVector(new float[2], 1f, new float[2], new float[1])).ParamName);
        Assert.Equal("result", Assert.Throws<ArgumentException>(() => p.ScaleArray(2.0, new double[3], new double[4])).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentNullException>(() => p.ScaleArray(2f, null!, new float[4])).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => p.DotProduct(new double[3], new double[4])).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentNullException>(() => p.DotProduct(null!, new float[4])).ParamName);
    }

    [Fact]
    public void Constructor_RejectsANullLibrary() =>
        Assert.Equal("library", Assert.Throws<ArgumentNullException>(() => new CblasLinearAlgebraProvider(null!)).ParamName);

    private static CblasLinearAlgebraProvider ProviderFor(BlasVendor vendor) => new(CblasLibrary.Load(vendor));
}
