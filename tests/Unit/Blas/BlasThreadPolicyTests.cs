using BnNative.Native.Blas;
using BnNative.Tests.Core;

namespace BnNative.Tests.Blas;

/// <summary>
/// <see cref="BlasThreadPolicy.Decide"/> as a pure function of environment values and the core count: BnNative's own
/// variable first, then the vendor's (left to the library), then cores divided by the ranks on this node.
/// </summary>
public sealed class BlasThreadPolicyTests
{
    [Theory]
    [InlineData(8, null, 8, "set by BnNative: 8 cores / 1 rank")]
    [InlineData(8, "2", 4, "set by BnNative: 8 cores / 2 ranks")]
    [InlineData(8, "3", 2, "set by BnNative: 8 cores / 3 ranks")]
    [InlineData(2, "4", 1, "set by BnNative: 2 cores / 4 ranks")]
    [InlineData(1, null, 1, "set by BnNative: 1 core / 1 rank")]
    [InlineData(8, "zero", 8, "set by BnNative: 8 cores / 1 rank")]
    [InlineData(8, "0", 8, "set by BnNative: 8 cores / 1 rank")]
    public void WithoutVariablesTheCoresAreSharedByTheRanksOfTheNode(int cores, string? localRanks, int expected, string source)
    {
        var choice = BlasThreadPolicy.Decide(BlasVendor.OpenBlas, Env((BlasThreadPolicy.LocalRanksVariable, localRanks)), cores);

        Assert.Equal(new BlasThreadChoice(expected, source), choice);
    }

    [Theory]
    [InlineData(BlasVendor.OpenBlas, "OPENBLAS_NUM_THREADS")]
    [InlineData(BlasVendor.OpenBlas, "GOTO_NUM_THREADS")]
    [InlineData(BlasVendor.OpenBlas, "OMP_NUM_THREADS")]
    [InlineData(BlasVendor.Mkl, "MKL_NUM_THREADS")]
    [InlineData(BlasVendor.Mkl, "OMP_NUM_THREADS")]
    [InlineData(BlasVendor.Blis, "BLIS_NUM_THREADS")]
    [InlineData(BlasVendor.Blis, "OMP_NUM_THREADS")]
    public void TheVendorsOwnVariableIsLeftToTheLibrary(BlasVendor vendor, string variable)
    {
        var choice = BlasThreadPolicy.Decide(vendor, Env((variable, "3"), (BlasThreadPolicy.LocalRanksVariable, "2")), 8);

        Assert.Equal(new BlasThreadChoice(null, variable), choice);
    }

    [Theory]
    [InlineData(BlasVendor.OpenBlas, "BLIS_NUM_THREADS")]
    [InlineData(BlasVendor.Blis, "OPENBLAS_NUM_THREADS")]
    [InlineData(BlasVendor.Mkl, "BLIS_NUM_THREADS")]
    public void AnotherVendorsVariableDoesNotCount(BlasVendor vendor, string variable)
    {
        var choice = BlasThreadPolicy.Decide(vendor, Env((variable, "3")), 4);

        Assert.Equal(new BlasThreadChoice(4, "set by BnNative: 4 cores / 1 rank"), choice);
    }

    [Fact]
    public void BnNativesVariableWinsOverEverything()
    {
        var environment = Env(
            (BlasThreadPolicy.EnvironmentVariable, "6"), ("OPENBLAS_NUM_THREADS", "3"), ("OMP_NUM_THREADS", "5"), (BlasThreadPolicy.LocalRanksVariable, "4"));

        var choice = BlasThreadPolicy.Decide(BlasVendor.OpenBlas, environment, 2);

        Assert.Equal(new BlasThreadChoice(6, BlasThreadPolicy.EnvironmentVariable), choice);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-2")]
    [InlineData("two")]
    [InlineData("1.5")]
    public void ABadBnNativeValueIsIgnoredAndSaidSo(string value)
    {
        var plain = BlasThreadPolicy.Decide(BlasVendor.Blis, Env((BlasThreadPolicy.EnvironmentVariable, value)), 4);
        var vendor = BlasThreadPolicy.Decide(BlasVendor.Blis, Env((BlasThreadPolicy.EnvironmentVariable, value), ("BLIS_NUM_THREADS", "2")), 4);

        string ignored = $"; BNNATIVE_BLAS_THREADS='{value}' ignored: not a whole number ≥ 1";
        Assert.Equal(new BlasThreadChoice(4, "set by BnNative: 4 cores / 1 rank" + ignored), plain);
        Assert.Equal(new BlasThreadChoice(null, "BLIS_NUM_THREADS" + ignored), vendor);
    }

    [Fact]
    public void EmptyVariablesCountAsUnset()
    {
        var environment = Env((BlasThreadPolicy.EnvironmentVariable, string.Empty), ("OPENBLAS_NUM_THREADS", string.Empty));

        Assert.Equal(new BlasThreadChoice(2, "set by BnNative: 2 cores / 1 rank"), BlasThreadPolicy.Decide(BlasVendor.OpenBlas, environment, 2));
    }

    [Fact]
    public void ReferenceBlasHasNoThreadControl()
    {
        var choice = BlasThreadPolicy.Decide(BlasVendor.Reference, Env((BlasThreadPolicy.EnvironmentVariable, "4")), 8);

        Assert.Equal(new BlasThreadChoice(null, "no thread control"), choice);
        Assert.Empty(BlasThreadPolicy.VendorVariables(BlasVendor.Reference));
    }

    [Fact]
    public void BadArgumentsAreNamed()
    {
        ParamAssert.Throws<ArgumentNullException>("environment", () => BlasThreadPolicy.Decide(BlasVendor.OpenBlas, null!, 2));
        ParamAssert.Throws<ArgumentOutOfRangeException>("processorCount", () => BlasThreadPolicy.Decide(BlasVendor.OpenBlas, Env(), 0));
    }

    private static Func<string, string?> Env(params (string Name, string? Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;
}
