using System.Runtime.InteropServices;
using BnNative.MathNet;
using BnNative.Native.Blas;
using BnNative.Tests.Blas;
using MathNet.Numerics.Providers.LinearAlgebra;

namespace BnNative.Tests.MathNet;

/// <summary>
/// MathNet's MKL provider cannot run on this platform: what can be tested is the refusal and its message, each step
/// of the probe, and that a provider given as the multiply backend is the one the multiply calls (with a stand-in).
/// </summary>
[Collection(NativeBlasCollection.Name)]
public sealed class MathNetMklProviderTests
{
    [Fact]
    public void IsSupportedPlatform_IsWindowsX64()
    {
        Assert.Equal(OperatingSystem.IsWindows() && RuntimeInformation.ProcessArchitecture == Architecture.X64, MathNetMklProvider.IsSupportedPlatform);
    }

    [Fact]
    public void TryCreate_OffWindowsX64_ReturnsFalseSayingWhyAndWhatToUse()
    {
        Assert.False(MathNetMklProvider.IsSupportedPlatform, "This test describes a platform without MathNet's MKL provider.");
        Assert.False(MathNetMklProvider.TryCreate(out var provider, out string reason));
        Assert.Null(provider);
        Assert.Contains("Windows x64 only", reason, StringComparison.Ordinal);
        Assert.Contains("MathNet.Numerics.MKL.Win-x64", reason, StringComparison.Ordinal);
        Assert.Contains(RuntimeInformation.RuntimeIdentifier, reason, StringComparison.Ordinal);
        Assert.Contains("MatrixMultiplyBackend.Cblas", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Probe_WithoutTheProviderAssembly_SaysToBuildForWinX64()
    {
        // The win-x64 condition is false here, so the provider assembly is absent, as it would be in a plain build on Windows.
        Assert.False(MathNetMklProvider.Probe(true, MathNetMklProvider.CreatorTypeName, out var provider, out string reason));
        Assert.Null(provider);
        Assert.Contains("was not found", reason, StringComparison.Ordinal);
        Assert.Contains("-r win-x64", reason, StringComparison.Ordinal);
        Assert.Null(Type.GetType(MathNetMklProvider.CreatorTypeName, throwOnError: false));
    }

    [BlasTheory]
    public void AMultiplyProvider_RunsTheMultiply_AndTheRestStaysOnTheLibrary(BlasVendor vendor)
    {
        var (stand, control) = ProviderOverride.Create();
        var provider = new CblasLinearAlgebraProvider(CblasLibrary.Load(vendor), stand);
        Assert.Equal(MatrixMultiplyBackend.MathNetMkl, provider.MultiplyBackend);
        provider.InitializeVerify();
        int afterVerify = control.MultiplyCalls;
        Assert.True(afterVerify > 0);

        double[] result = new double[4];
        provider.MatrixMultiply([1, 4, 2, 5, 3, 6], 2, 3, [7, 9, 11, 8, 10, 12], 3, 2, result);
        Assert.Equal([58d, 139, 64, 154], result);
        Assert.Equal(afterVerify + 1, control.MultiplyCalls);

        // Sizes are validated before the multiply provider is called.
        Assert.Throws<ArgumentException>(() => provider.MatrixMultiply(new double[6], 2, 3, new double[6], 3, 2, new double[5]));
        Assert.Equal(afterVerify + 1, control.MultiplyCalls);
    }

    [BlasTheory]
    public void InitializeVerify_CatchesAWrongMultiply(BlasVendor vendor)
    {
        var (stand, control) = ProviderOverride.Create();
        control.Corrupt = true;
        var provider = new CblasLinearAlgebraProvider(CblasLibrary.Load(vendor), stand);
        var e = Assert.Throws<NotSupportedException>(provider.InitializeVerify);
        Assert.Contains("failed verification: Double MatrixMultiplyWithUpdate(DontTranspose, DontTranspose)", e.Message, StringComparison.Ordinal);
    }
}
