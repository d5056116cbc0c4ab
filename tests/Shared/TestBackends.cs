using BnNative.Moments;

namespace BnNative.Tests;

/// <summary>
/// The moments backends every backend-parameterized test runs against. Native ones that cannot load are
/// reported as skipped with the reason, unless BNNATIVE_REQUIRE_NATIVE=1, in which case they run and fail.
/// MKL is not installable on the CI machine, so its row skips even then.
/// </summary>
public static class TestBackends
{
    /// <summary>Backend names, as accepted by <see cref="MomentsBackend.Parse"/>.</summary>
    public static readonly string[] Names =
        ["reference", "simd", "cblas:openblas", "cblas:blis", "cblas:reference", "cblas:mkl"];

    /// <summary>Native libraries CI must have (Debian packages installed by build.sh).</summary>
    public static readonly string[] RequiredNative = ["cblas:openblas", "cblas:blis", "cblas:reference"];

    /// <summary>True when BNNATIVE_REQUIRE_NATIVE=1: a native backend that cannot load fails instead of skipping.</summary>
    public static bool NativeRequired => Environment.GetEnvironmentVariable("BNNATIVE_REQUIRE_NATIVE") == "1";

    /// <summary>The backend named <paramref name="name"/>.</summary>
    public static MomentsBackend Get(string name) => MomentsBackend.Parse(name);

    /// <summary>Why the backend's tests are skipped, or null when they run.</summary>
    public static string? SkipReason(string name)
    {
        if (!name.StartsWith("cblas:", StringComparison.Ordinal))
        {
            return null;
        }

        if (MomentsBackend.TryCblas(name["cblas:".Length..], out _, out string failure))
        {
            return null;
        }

        return NativeRequired && RequiredNative.Contains(name)
            ? null
            : $"{name} is not available: {failure}";
    }
}
