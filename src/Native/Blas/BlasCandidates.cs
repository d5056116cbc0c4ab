using System.Runtime.InteropServices;

namespace BnNative.Native.Blas;

/// <summary>
/// Where each <see cref="BlasVendor"/> is looked for on the current operating system, and what to install when
/// it is not there.
/// </summary>
/// <remarks>
/// On Debian and Ubuntu, <c>libblas.so.3</c> is an update-alternatives link that may point at OpenBLAS or BLIS,
/// so the reference BLAS is tried first by its own path (<c>…/blas/libblas.so.3</c>), and every candidate is
/// identified by its exports after loading rather than trusted by name.
/// </remarks>
internal static class BlasCandidates
{
    /// <summary>The names and paths tried for <paramref name="vendor"/>, most specific first.</summary>
    public static IReadOnlyList<string> For(BlasVendor vendor)
    {
        if (OperatingSystem.IsWindows())
        {
            return vendor switch
            {
                BlasVendor.Mkl => ["mkl_rt.2.dll", "mkl_rt.dll"],
                BlasVendor.OpenBlas => ["libopenblas.dll", "openblas.dll"],
                BlasVendor.Blis => ["blis.dll", "libblis.dll", "libblis.4.dll"],
                _ => ["blas.dll", "libblas.dll"],
            };
        }

        if (OperatingSystem.IsMacOS())
        {
            return vendor switch
            {
                BlasVendor.Mkl => ["libmkl_rt.2.dylib", "libmkl_rt.dylib"],
                BlasVendor.OpenBlas =>
                [
                    "libopenblas.0.dylib", "libopenblas.dylib",
                    "/opt/homebrew/opt/openblas/lib/libopenblas.dylib", "/usr/local/opt/openblas/lib/libopenblas.dylib",
                ],
                BlasVendor.Blis =>
                [
                    "libblis.4.dylib", "libblis.dylib",
                    "/opt/homebrew/opt/blis/lib/libblis.dylib", "/usr/local/opt/blis/lib/libblis.dylib",
                ],
                _ => ["libblas.3.dylib", "libblas.dylib", "/System/Library/Frameworks/Accelerate.framework/Accelerate"],
            };
        }

        string? multiarch = DebianMultiarchDirectory();
        return vendor switch
        {
            BlasVendor.Mkl => ["libmkl_rt.so.2", "libmkl_rt.so", "/opt/intel/oneapi/mkl/latest/lib/libmkl_rt.so.2"],
            BlasVendor.OpenBlas => WithVariants(["libopenblas.so.0", "libopenblas.so"], multiarch, "openblas", "libopenblas.so.0"),
            BlasVendor.Blis => WithVariants(["libblis.so.4", "libblis.so"], multiarch, "blis", "libblis.so.4"),
            _ => multiarch is null ? ["libblas.so.3"] : [$"{multiarch}/blas/libblas.so.3", "libblas.so.3"],
        };
    }

    /// <summary>What to install to get <paramref name="vendor"/> on the current operating system.</summary>
    public static string InstallHint(BlasVendor vendor)
    {
        if (OperatingSystem.IsMacOS())
        {
            return vendor switch
            {
                BlasVendor.Mkl => "MKL: Intel oneAPI Math Kernel Library (x86-64 only)",
                BlasVendor.OpenBlas => "OpenBLAS: brew install openblas",
                BlasVendor.Blis => "BLIS: brew install blis",
                _ => "reference BLAS: Accelerate ships with macOS",
            };
        }

        if (OperatingSystem.IsWindows())
        {
            return vendor switch
            {
                BlasVendor.Mkl => "MKL: Intel oneAPI Math Kernel Library (put mkl_rt.2.dll on PATH)",
                BlasVendor.OpenBlas => "OpenBLAS: put libopenblas.dll from an OpenBLAS release on PATH",
                BlasVendor.Blis => "BLIS: put blis.dll on PATH",
                _ => "reference BLAS: put a blas.dll built with CBLAS on PATH",
            };
        }

        return vendor switch
        {
            BlasVendor.Mkl => "MKL: not in Debian main; install intel-mkl / libmkl-rt (non-free) or Intel oneAPI MKL",
            BlasVendor.OpenBlas => "OpenBLAS: apt-get install libopenblas0-pthread",
            BlasVendor.Blis => "BLIS: apt-get install libblis4",
            _ => "reference BLAS: apt-get install libblas3",
        };
    }

    /// <summary>Whether <paramref name="nameOrPath"/> names a library file rather than a vendor.</summary>
    public static bool LooksLikeLibrary(string nameOrPath) =>
        nameOrPath.Contains('/') || nameOrPath.Contains('\\') || Path.IsPathRooted(nameOrPath)
        || nameOrPath.EndsWith(".so", StringComparison.OrdinalIgnoreCase)
        || nameOrPath.Contains(".so.", StringComparison.OrdinalIgnoreCase)
        || nameOrPath.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
        || nameOrPath.EndsWith(".dylib", StringComparison.OrdinalIgnoreCase);

    private static string[] WithVariants(string[] names, string? multiarch, string package, string fileName) =>
        multiarch is null
            ? names
            : [.. names, .. new[] { "pthread", "openmp", "serial" }.Select(threading => $"{multiarch}/{package}-{threading}/{fileName}")];

    private static string? DebianMultiarchDirectory() => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => "/usr/lib/x86_64-linux-gnu",
        Architecture.Arm64 => "/usr/lib/aarch64-linux-gnu",
        _ => null,
    };
}
