using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using MathNet.Numerics.Providers;
using MathNet.Numerics.Providers.LinearAlgebra;

namespace BnNative.MathNet;

/// <summary>
/// MathNet's MKL linear-algebra provider, found at run time: on Windows x64, when the application references
/// MathNet.Numerics.Providers.MKL (the managed provider) and MathNet.Numerics.MKL.Win-x64 (Intel's native MKL), or this
/// repository's src/MathNet is built for the <c>win-x64</c> runtime identifier, <see cref="TryCreate"/> creates and verifies an instance of it without installing it anywhere. This
/// assembly never names the MKL assembly at compile time, so it builds on every platform; elsewhere
/// <see cref="TryCreate"/> returns false with the reason.
/// </summary>
public static class MathNetMklProvider
{
    /// <summary>The creator type MathNet's own <c>LinearAlgebraControl.TryUseNativeMKL()</c> probes for, assembly-qualified.</summary>
    public const string CreatorTypeName =
        "MathNet.Numerics.Providers.MKL.LinearAlgebra.MklLinearAlgebraControl, MathNet.Numerics.Providers.MKL";

    /// <summary>Whether this process could run MathNet's MKL provider at all: Windows on x64.</summary>
    public static bool IsSupportedPlatform =>
        OperatingSystem.IsWindows() && RuntimeInformation.ProcessArchitecture == Architecture.X64;

    /// <summary>
    /// Creates MathNet's MKL provider, checks <see cref="ILinearAlgebraProvider.IsAvailable"/> and runs its
    /// <see cref="ILinearAlgebraProvider.InitializeVerify"/>. Never throws; <c>LinearAlgebraControl.Provider</c> is not touched.
    /// </summary>
    /// <param name="provider">The verified provider, or null.</param>
    /// <param name="reason">Why it is unavailable (platform, missing package, native load or verification failure, and
    /// what to do); empty on success.</param>
    /// <returns>Whether the provider was created.</returns>
    public static bool TryCreate([NotNullWhen(true)] out ILinearAlgebraProvider? provider, out string reason) =>
        Probe(IsSupportedPlatform, CreatorTypeName, out provider, out reason);

    /// <summary><see cref="TryCreate(out ILinearAlgebraProvider, out string)"/> with the platform test and type name given, so tests can reach each step.</summary>
    internal static bool Probe(
        bool supportedPlatform, string creatorTypeName, [NotNullWhen(true)] out ILinearAlgebraProvider? provider, out string reason)
    {
        provider = null;
        if (!supportedPlatform)
        {
            reason = $"MathNet's MKL provider runs on Windows x64 only (packages MathNet.Numerics.Providers.MKL and "
                + $"MathNet.Numerics.MKL.Win-x64, which the application references); "
                + $"this process is {RuntimeInformation.RuntimeIdentifier} ({RuntimeInformation.OSDescription}). "
                + "Use the CBLAS matrix multiply instead (MatrixMultiplyBackend.Cblas, the default), which runs on MKL too when "
                + $"BNNATIVE_BLAS=mkl finds Intel's library.";
            return false;
        }

        ILinearAlgebraProvider? candidate;
        try
        {
            candidate = new ProviderProbe<ILinearAlgebraProvider>(creatorTypeName, false).TryCreate();
        }
        catch (Exception e) when (e is TypeLoadException or FileNotFoundException or FileLoadException or BadImageFormatException or InvalidOperationException)
        {
            reason = $"MathNet's MKL provider ({creatorTypeName}) could not be created: {e.Message}";
            return false;
        }

        if (candidate is null)
        {
            reason = $"MathNet's MKL provider type {creatorTypeName} was not found. Add the packages "
                + "MathNet.Numerics.Providers.MKL (5.0.0) and MathNet.Numerics.MKL.Win-x64 (3.0.0) to the application: the "
                + "BnNative.MathNet package does not depend on them (in this repository, a build of src/MathNet with -r win-x64 "
                + "references them).";
            return false;
        }

        try
        {
            if (!candidate.IsAvailable())
            {
                reason = $"MathNet's MKL provider ({candidate}) reports that Intel's native MKL library did not load; check that "
                    + "MathNet.Numerics.MKL.Win-x64's native files were copied next to the application.";
                return false;
            }

            candidate.InitializeVerify();
        }
        catch (Exception e) when (e is NotSupportedException or DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            reason = $"MathNet's MKL provider failed to initialize: {e.Message}";
            return false;
        }

        provider = candidate;
        reason = string.Empty;
        return true;
    }
}
