using System.Diagnostics.CodeAnalysis;
using BnNative.Moments;
using BnNative.Native.Blas;
using MathNet.Numerics.Providers.LinearAlgebra;

namespace BnNative.MathNet;

/// <summary>
/// Creates a <see cref="CblasLinearAlgebraProvider"/> and installs it as MathNet's process-wide
/// <see cref="LinearAlgebraControl.Provider"/>: <see cref="Use"/> throws a message that says what to do when no CBLAS
/// library loads, <see cref="TryUse(out string)"/> returns false with the reason. Every provider is verified
/// (<see cref="CblasLinearAlgebraProvider.InitializeVerify"/>) before it is returned or installed.
/// </summary>
/// <remarks>
/// <see cref="LinearAlgebraControl.Provider"/> is global to the process: installing changes every MathNet matrix
/// operation in it, from then on. To accelerate only some code, create a provider with <see cref="Create"/> and call it
/// directly. MathNet's <see cref="LinearAlgebraControl.UseManaged"/> goes back to the managed provider.
/// </remarks>
public static class BnNativeLinearAlgebra
{
    /// <summary>Loads a CBLAS library, builds and verifies a provider over it, without installing it.</summary>
    /// <param name="blas">mkl | openblas | blis | reference, a library path, or null for <see cref="CblasLibrary.EnvironmentVariable"/>
    /// and then the first library that loads (see <see cref="CblasLibrary.Load(string)"/>).</param>
    /// <param name="multiply">What runs the matrix multiply; default <see cref="MatrixMultiplyBackend.Cblas"/>.</param>
    /// <returns>The verified provider.</returns>
    /// <exception cref="ArgumentException"><paramref name="blas"/> is neither a vendor name nor a path.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="multiply"/> is not a defined value.</exception>
    /// <exception cref="NativeBackendUnavailableException">No CBLAS library loaded (the message lists each candidate, why it
    /// failed and what to install), MathNet's MKL provider was asked for and is unavailable (the message says why), or the
    /// provider failed verification.</exception>
    public static CblasLinearAlgebraProvider Create(string? blas = null, MatrixMultiplyBackend multiply = MatrixMultiplyBackend.Cblas)
    {
        CheckBackend(multiply);
        CblasLibrary library;
        try
        {
            library = CblasLibrary.Load(blas);
        }
        catch (ArgumentException e)
        {
            string message = e.Message.Replace(" (Parameter 'nameOrPath')", string.Empty, StringComparison.Ordinal)
                .Replace("nameOrPath", nameof(blas), StringComparison.Ordinal);
            throw new ArgumentException(message, nameof(blas), e);
        }
        catch (BlasLibraryNotFoundException e)
        {
            throw new NativeBackendUnavailableException(NoLibraryMessage(e.Message), e);
        }

        ILinearAlgebraProvider? mkl = null;
        if (multiply == MatrixMultiplyBackend.MathNetMkl && !MathNetMklProvider.TryCreate(out mkl, out string reason))
        {
            throw new NativeBackendUnavailableException(
                $"The matrix multiply was asked of MathNet's MKL provider, which is unavailable: {reason}");
        }

        var provider = new CblasLinearAlgebraProvider(library, mkl);
        try
        {
            provider.InitializeVerify();
        }
        catch (NotSupportedException e)
        {
            throw new NativeBackendUnavailableException(
                $"{e.Message} Choose another library with BNNATIVE_BLAS or the blas argument, or keep MathNet's managed provider.", e);
        }

        return provider;
    }

    /// <summary>Like <see cref="Create"/>, reporting failure instead of throwing.</summary>
    /// <param name="blas">A vendor name, a library path, or null; see <see cref="Create"/>.</param>
    /// <param name="multiply">What runs the matrix multiply.</param>
    /// <param name="provider">The verified provider, or null.</param>
    /// <param name="reason">Why none could be created (the message <see cref="Create"/> would throw); empty on success.</param>
    /// <returns>Whether a provider was created.</returns>
    public static bool TryCreate(
        string? blas, MatrixMultiplyBackend multiply, [NotNullWhen(true)] out CblasLinearAlgebraProvider? provider, out string reason)
    {
        try
        {
            provider = Create(blas, multiply);
            reason = string.Empty;
            return true;
        }
        catch (Exception e) when (e is ArgumentException or NativeBackendUnavailableException)
        {
            provider = null;
            reason = e.Message;
            return false;
        }
    }

    /// <summary>
    /// Creates a verified provider (<see cref="Create"/>) and installs it as <see cref="LinearAlgebraControl.Provider"/>,
    /// for the whole process.
    /// </summary>
    /// <param name="blas">A vendor name, a library path, or null; see <see cref="Create"/>.</param>
    /// <param name="multiply">What runs the matrix multiply; default <see cref="MatrixMultiplyBackend.Cblas"/>.</param>
    /// <returns>The installed provider.</returns>
    /// <exception cref="ArgumentException"><paramref name="blas"/> is neither a vendor name nor a path.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="multiply"/> is not a defined value.</exception>
    /// <exception cref="NativeBackendUnavailableException">As <see cref="Create"/>; the installed provider is then unchanged.</exception>
    public static CblasLinearAlgebraProvider Use(string? blas = null, MatrixMultiplyBackend multiply = MatrixMultiplyBackend.Cblas)
    {
        var provider = Create(blas, multiply);
        LinearAlgebraControl.Provider = provider;
        return provider;
    }

    /// <summary>Installs a provider over the default library (<see cref="Use"/> with no arguments), reporting failure instead of throwing.</summary>
    /// <param name="reason">Why nothing was installed; empty on success.</param>
    /// <returns>Whether the provider was installed; when false, <see cref="LinearAlgebraControl.Provider"/> is unchanged.</returns>
    public static bool TryUse(out string reason) => TryUse(null, MatrixMultiplyBackend.Cblas, out reason);

    /// <summary>Like <see cref="Use"/>, reporting failure instead of throwing.</summary>
    /// <param name="blas">A vendor name, a library path, or null; see <see cref="Create"/>.</param>
    /// <param name="multiply">What runs the matrix multiply.</param>
    /// <param name="reason">Why nothing was installed; empty on success.</param>
    /// <returns>Whether the provider was installed; when false, <see cref="LinearAlgebraControl.Provider"/> is unchanged.</returns>
    public static bool TryUse(string? blas, MatrixMultiplyBackend multiply, out string reason)
    {
        if (!TryCreate(blas, multiply, out var provider, out reason))
        {
            return false;
        }

        LinearAlgebraControl.Provider = provider;
        return true;
    }

    private static void CheckBackend(MatrixMultiplyBackend multiply)
    {
        if (!Enum.IsDefined(multiply))
        {
            throw new ArgumentOutOfRangeException(nameof(multiply), multiply, "Expected MatrixMultiplyBackend.Cblas or MatrixMultiplyBackend.MathNetMkl.");
        }
    }

    private static string NoLibraryMessage(string loaderMessage) =>
        "BnNative's MathNet provider needs a native CBLAS library and none loaded. Install one (for example the Debian "
        + "package libopenblas0), point BNNATIVE_BLAS at it, or keep MathNet's managed provider (LinearAlgebraControl.UseManaged()).\n"
        + loaderMessage;
}
